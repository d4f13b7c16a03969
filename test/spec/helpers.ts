/** Shared helpers for the spec tests. */
import assert from 'node:assert/strict';
import { SpecError } from '../../src/errors.js';
import { parseProbe } from '../../src/spec/index.js';

/** Deep copy without `span`/`fieldSpan` keys, to compare structure only. */
export function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'span' || k === 'fieldSpan') continue;
      out[k] = strip(v);
    }
    return out;
  }
  return value;
}

/** Runs `fn` and returns the SpecError it throws; fails when it throws anything else or nothing. */
export function catchSpecError(fn: () => unknown): SpecError {
  try {
    fn();
  } catch (e) {
    if (e instanceof SpecError) return e;
    throw e;
  }
  assert.fail('expected a SpecError');
}

/** Asserts that parsing `input` fails with exactly this code, column and message. */
export function assertSpecError(
  input: string,
  code: string,
  column: number,
  message: string,
): SpecError {
  const e = catchSpecError(() => parseProbe(input));
  assert.deepEqual(
    { code: e.code, column: e.column, message: e.message },
    { code, column, message },
    `for ${JSON.stringify(input)}`,
  );
  assert.equal(e.input, input);
  assert.ok(e.hint && e.hint.length > 0, `hint for ${JSON.stringify(input)}`);
  return e;
}
