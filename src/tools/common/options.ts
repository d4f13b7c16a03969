/** Option parsing for the tools: node's parseArgs, with usage errors (exit 2) instead of exceptions. */
import type { ParseArgsConfig } from 'node:util';
import { numberOption, parseCommandArgs } from '../../cli/args.js';
import { UsageError } from '../../index.js';

export type ToolOptionsConfig = NonNullable<ParseArgsConfig['options']>;
export type ToolValues = Record<string, string | boolean | string[] | boolean[] | undefined>;

/** Options every tool has. */
export const COMMON_OPTIONS = {
  duration: { type: 'string', short: 'd' },
  json: { type: 'boolean' },
  verbose: { type: 'boolean', short: 'v' },
} as const;

export function usageError(tool: string, message: string, hint?: string): UsageError {
  return new UsageError('E_USAGE', `probekit ${tool}: ${message}`, {
    hint: hint ?? `run 'probekit ${tool} --help' for usage and examples`,
  });
}

export function parseToolArgs(
  tool: string,
  argv: readonly string[],
  options: ToolOptionsConfig,
): { values: ToolValues; positionals: string[] } {
  return parseCommandArgs(tool, argv, { ...COMMON_OPTIONS, ...options });
}

/** A positive number option (seconds, counts); undefined when absent. */
export const positiveNumber = numberOption;

/** A non-negative whole number (a uid). */
export function wholeNumber(tool: string, name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d+$/.test(value.trim())) {
    throw usageError(tool, `--${name} wants a whole number, got '${String(value)}'`);
  }
  return Number(value);
}

/** Refuses positionals for tools that take none. */
export function noPositionals(tool: string, positionals: readonly string[]): void {
  if (positionals.length > 0) throw usageError(tool, `unexpected argument '${positionals[0]}'`);
}

/** A time unit for latencies: ns (default), us or ms. */
export type TimeUnit = 'nsecs' | 'usecs' | 'msecs';
export const UNIT_DIVISOR = {
  nsecs: 1n,
  usecs: 1000n,
  msecs: 1_000_000n,
} as const satisfies Record<TimeUnit, bigint>;
