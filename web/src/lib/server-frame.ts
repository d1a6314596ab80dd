/**
 * Checks frames from the gateway before the app trusts them. A hand-written shape check rather than the
 * protocol's TypeBox validators, which would multiply the bundle size; reply `data` is checked by the caller
 * that knows which request it answers.
 */
import type { ChatMessage, ServerFrame, UserRef } from '@chat/protocol';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const isString = (value: unknown): value is string => typeof value === 'string';
const isOptionalString = (value: unknown): boolean => value === undefined || isString(value);

export function isUserRef(value: unknown): value is UserRef {
  return isObject(value) && isString(value.id) && isString(value.username);
}

/** The users a `joined` or `left` event names: at least one (the server gathers notices, never sends none). */
function isUserList(value: unknown): value is UserRef[] {
  return Array.isArray(value) && value.length > 0 && value.every(isUserRef);
}

export function isChatMessage(value: unknown): value is ChatMessage {
  return (
    isObject(value) &&
    isString(value.id) &&
    Number.isSafeInteger(value.seq) &&
    (value.seq as number) >= 1 &&
    isUserRef(value.author) &&
    isString(value.text) &&
    isString(value.createdAt) &&
    isOptionalString(value.editedAt) &&
    isOptionalString(value.deletedAt)
  );
}

export function isMessageList(value: unknown): value is ChatMessage[] {
  return Array.isArray(value) && value.every(isChatMessage);
}

/**
 * Parses one text frame; null for anything malformed or of a type this client does not know (a newer gateway
 * may send more), which is ignored, not fatal.
 */
export function parseServerFrame(text: string): ServerFrame | null {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value)) return null;
  switch (value.type) {
    case 'reply':
      if (value.ok === true && isString(value.ref) && 'data' in value) return value as unknown as ServerFrame;
      if (value.ok === false && (isString(value.ref) || value.ref === null) && isObject(value.error)) {
        const { code, message } = value.error;
        if (isString(code) && isString(message)) return value as unknown as ServerFrame;
      }
      return null;
    case 'message':
    case 'edited':
    case 'deleted':
      return isString(value.room) && isChatMessage(value.message) ? (value as unknown as ServerFrame) : null;
    case 'joined':
    case 'left':
      return isString(value.room) && isUserList(value.users) ? (value as unknown as ServerFrame) : null;
    case 'rooms-changed':
      return isRoomsChange(value) ? (value as unknown as ServerFrame) : null;
    case 'removed':
      return isString(value.room) && (value.reason === 'ROOM_ACCESS_DENIED' || value.reason === 'ROOM_INVALID')
        ? (value as unknown as ServerFrame)
        : null;
    default:
      return null;
  }
}

/** Checks the `data` of a successful reply against what the request type promises. */
export function isReplyData(type: string, data: unknown): boolean {
  switch (type) {
    case 'join':
      return isObject(data) && isRoom(data.room) && isMessageList(data.messages);
    case 'history':
      return isObject(data) && isMessageList(data.messages);
    case 'send':
    case 'edit':
    case 'delete':
      return isChatMessage(data);
    default:
      return true;
  }
}

function isRoom(value: unknown): boolean {
  return isObject(value) && isString(value.id) && isString(value.title) && typeof value.staffOnly === 'boolean';
}

/** A deleted room carries only its id; a created or updated one all of itself. */
function isRoomsChange(value: Json): boolean {
  const { kind, room } = value;
  if (kind === 'deleted') return isObject(room) && isString(room.id);
  return (kind === 'created' || kind === 'updated') && isRoom(room);
}
