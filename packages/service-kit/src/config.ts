/** Environment configuration, validated at start: a bad value stops the service and names the variable. */
import type { Static, TObject } from '@sinclair/typebox';
import { TypeCompiler } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadConfig<T extends TObject>(
  schema: T,
  env: Record<string, string | undefined> = process.env,
): Static<T> {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(schema.properties)) {
    const value = env[key];
    if (value !== undefined && value !== '') picked[key] = value;
  }
  const withDefaults = Value.Default(schema, picked);
  const converted = Value.Convert(schema, withDefaults);
  const compiled = TypeCompiler.Compile(schema);
  if (!compiled.Check(converted)) {
    const problems = [...compiled.Errors(converted)].map((e) => {
      const name = e.path.replace(/^\//, '') || '(config)';
      const shown = env[name] === undefined ? 'is missing' : `is invalid (${e.message})`;
      return `${name} ${shown}`;
    });
    throw new ConfigError(`invalid configuration: ${[...new Set(problems)].join('; ')}`);
  }
  return converted as Static<T>;
}
