/** Compiled TypeBox validators: checking a value costs a function call, not a schema walk. */
import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { ChatError, ErrorCode } from './errors.js';

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
