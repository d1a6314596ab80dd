/**
 * docs/protocol.md is the prose version of this package: every frame, error code and NATS subject defined here
 * must be in it. The lists come from the package's own exports, so a frame type, code or subject added without
 * its documentation fails here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ChatError,
  clientFrameSchemas,
  ErrorCode,
  isErrorCode,
  JoinHeaders,
  QUEUE_GROUP,
  ROOM_SUBJECT_PREFIX,
  Subjects,
  serverFrameTypes,
  TYPING_SUBJECT_PREFIX,
} from '../src/index.js';

const doc = readFileSync(new URL('../../../docs/protocol.md', import.meta.url), 'utf8');

/**
 * The text under a heading (any level) up to the next heading of the same or a higher level, or with `own`, up
 * to the next heading at all (its subsections left out).
 */
function section(title: string, { own = false } = {}): string {
  const lines = doc.split('\n');
  const start = lines.findIndex((line) => /^#+ /.test(line) && line.replace(/^#+ /, '') === title);
  if (start === -1) throw new Error(`docs/protocol.md has no section "${title}"`);
  const level = (lines[start] as string).indexOf(' ');
  const end = lines.findIndex((line, i) => i > start && /^#+ /.test(line) && (own || line.indexOf(' ') <= level));
  return lines.slice(start + 1, end === -1 ? undefined : end).join('\n');
}

/** The cells of each body row of the Markdown tables in a text (header rows, those above a separator, left out). */
function tableRows(text: string): string[][] {
  const rows: string[][] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('|')) continue;
    if (/^\|[\s|:-]+\|$/.test(line)) rows.pop();
    else
      rows.push(
        line
          .slice(1, -1)
          .split('|')
          .map((cell) => cell.trim()),
      );
  }
  return rows;
}

/** Subject names are the string leaves of Subjects; `service` entries name a service, not a subject. */
function subjects(tree: object): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    if (typeof value === 'object' && value !== null) return subjects(value);
    return key === 'service' ? [] : [value as string];
  });
}

const clientFrameTypes = Object.keys(clientFrameSchemas);
const errorCodes = Object.values(ErrorCode);
const missingFrom = (text: string, tokens: string[]) => tokens.filter((token) => !text.includes(token));

describe('docs/protocol.md', () => {
  it('shows every frame a client may send', () => {
    const text = section('Client → server');
    expect(clientFrameTypes.length).toBeGreaterThan(0);
    expect(
      missingFrom(
        text,
        clientFrameTypes.map((type) => `"type":"${type}"`),
      ),
    ).toEqual([]);
  });

  it('shows every frame the server sends', () => {
    const text = section('Server → client');
    expect(serverFrameTypes.length).toBeGreaterThan(0);
    expect(
      missingFrom(
        text,
        serverFrameTypes.map((type) => `"type":"${type}"`),
      ),
    ).toEqual([]);
  });

  it('lists every error code once, with its HTTP status, and no code that does not exist', () => {
    const rows = tableRows(section('Errors', { own: true }));
    const documented = new Map(rows.map(([code, status]) => [code?.replaceAll('`', ''), Number(status)]));
    expect(rows.length).toBe(documented.size);
    expect([...documented.keys()].filter((code) => !isErrorCode(code))).toEqual([]);
    expect(errorCodes.filter((code) => !documented.has(code))).toEqual([]);
    for (const code of errorCodes) expect(documented.get(code), code).toBe(new ChatError(code, '').statusCode);
  });

  it('says which errors each request can answer, naming only codes that exist', () => {
    const rows = tableRows(section('Errors per request'));
    const requests = rows.map(([request]) => request?.replaceAll('`', ''));
    expect(clientFrameTypes.filter((type) => !requests.includes(type))).toEqual([]);
    const named = rows.flatMap(([, errors]) => errors?.match(/`[A-Z_]+`/g) ?? []).map((code) => code.slice(1, -1));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((code) => !isErrorCode(code))).toEqual([]);
  });

  it('lists every NATS subject, its headers and queue group, and no subject that does not exist', () => {
    const text = section('NATS');
    const all = [...subjects(Subjects), `${ROOM_SUBJECT_PREFIX}<id>`, `${TYPING_SUBJECT_PREFIX}<id>`];
    expect(
      missingFrom(
        text,
        all.map((subject) => `\`${subject}\``),
      ),
    ).toEqual([]);
    expect(missingFrom(text, Object.values(JoinHeaders))).toEqual([]);
    expect(text).toContain(`(\`${QUEUE_GROUP}\`)`);
    const listed = tableRows(text).map(([subject]) => subject?.replaceAll('`', ''));
    expect(listed.filter((subject) => !all.includes(subject as string))).toEqual([]);
  });
});
