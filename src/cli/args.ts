/** Option parsing shared by commands: node's parseArgs with usage errors instead of exceptions. */
import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

export function parseCommandArgs<T extends OptionsConfig>(
  command: string,
  argv: readonly string[],
  options: T,
): {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
} {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return {
      values: values as Record<string, string | boolean | string[] | boolean[] | undefined>,
      positionals,
    };
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    throw new UsageError(
      'E_USAGE',
      `probekit ${command}: ${msg.replace(/\. To specify a positional.*$/s, '')}`,
      {
        hint: `run 'probekit ${command} --help' for usage`,
      },
    );
  }
}

/** Parses a positive number option (seconds, counts). */
export function numberOption(
  command: string,
  name: string,
  value: unknown,
  { integer = false } = {},
): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (
    typeof value !== 'string' ||
    value.trim() === '' ||
    !Number.isFinite(n) ||
    n <= 0 ||
    (integer && !Number.isInteger(n))
  ) {
    throw new UsageError(
      'E_USAGE',
      `probekit ${command}: --${name} wants a positive ${integer ? 'whole ' : ''}number, got '${String(value)}'`,
      {
        hint: `run 'probekit ${command} --help' for usage`,
      },
    );
  }
  return n;
}
