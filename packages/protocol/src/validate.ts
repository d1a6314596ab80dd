/** Compiled TypeBox validators: checking a value costs a function call, not a schema walk. */
import { FormatRegistry, type Static, type TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ChatError, ErrorCode } from './errors.js';

/** RFC 3339 date-time, as the servers write it (toISOString) and ChatMessage's schema names it. */
export const DATE_TIME_PATTERN = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$';
const DATE_TIME = new RegExp(DATE_TIME_PATTERN, 'i');
// TypeBox checks a format only through its registry; the protocol's schemas use this one.
if (!FormatRegistry.Has('date-time')) {
  FormatRegistry.Set('date-time', (value) => DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)));
}

export interface Validator<T extends TSchema> {
  check(value: unknown): value is Static<T>;
  /** Returns the value typed, or throws BAD_REQUEST naming the first offending field. */
  assert(value: unknown): Static<T>;
}

export function compile<T extends TSchema>(schema: T): Validator<T> {
  const compiled = TypeCompiler.Compile(schema);
  return {
    check: (value): value is Static<T> => compiled.Check(value),
    assert(value) {
      if (compiled.Check(value)) return value;
      const first = compiled.Errors(value).First();
      const where = first?.path ? `${first.path}: ` : '';
      throw new ChatError(ErrorCode.BAD_REQUEST, `${where}${first?.message ?? 'invalid value'}`);
    },
  };
}
