/** keyed.ts values {count, sum, min, max} and linear buckets, run in the interpreter. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinearHistogram } from '../../../src/analysis/linear.js';
import type { CtxScalar } from '../../../src/bpf/gen/context.js';
import {
  CAS_TRIES,
  type KeyPart,
  keyedProgram,
  keyedValueSize,
  VALUE_COUNT,
  VALUE_MAX,
  VALUE_MIN,
  VALUE_SUM,
} from '../../../src/bpf/gen/keyed.js';
import { Helper } from '../../../src/bpf/insn/helpers.js';
import type { Insn } from '../../../src/bpf/insn/types.js';
import { ProbekitError } from '../../../src/errors.js';
import { HEAP_BASE, run } from './interp.js';

const MAP = 5;
/** Where the map value lives in the interpreter's heap. */
const VALUE = 128;
/** The initial value {1, v, v, v} sits at fp-40; a key of 8 bytes right below. */
const INIT = 512 - 40;
const KEY = INIT - 8;

const X = (signed: boolean, size: 4 | 8 = 8): CtxScalar => ({
  offset: 16,
  size,
  signed,
  name: 'x',
});

function ctx(x: bigint): Uint8Array {
  const c = new Uint8Array(24);
  new DataView(c.buffer).setBigUint64(16, BigInt.asUintN(64, x), true);
  return c;
}

const u64At = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getBigUint64(off, true);
const s64At = (b: Uint8Array, off: number) => BigInt.asIntN(64, u64At(b, off));
const u32At = (b: Uint8Array, off: number) =>
  new DataView(b.buffer, b.byteOffset).getUint32(off, true);

function statsProgram(signed: boolean, size: 4 | 8 = 8): Insn[] {
  return keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'const', value: 0 }],
    measure: { kind: 'operand', operand: { kind: 'ctx', scalar: X(signed, size) } },
    stats: true,
  });
}

/** Runs `prog` on x against an existing value {count, sum, min, max}; returns the value after. */
function update(
  prog: Insn[],
  x: bigint,
  before: readonly [bigint, bigint, bigint, bigint],
  race?: (heap: Uint8Array) => void,
): bigint[] {
  const r = run(
    prog,
    ctx(x),
    {
      [Helper.map_lookup_elem]: (_regs, heap) => {
        const v = new DataView(heap.buffer);
        before.forEach((f, i) => {
          v.setBigUint64(VALUE + 8 * i, BigInt.asUintN(64, f), true);
        });
        return HEAP_BASE + BigInt(VALUE);
      },
      [Helper.map_update_elem]: () => {
        throw new Error('no insert expected');
      },
    },
    10_000,
    race,
  );
  return [VALUE_COUNT, VALUE_SUM, VALUE_MIN, VALUE_MAX].map((o) => s64At(r.heap, VALUE + o));
}

test('a stats value is 32 bytes: count, sum, min, max', () => {
  assert.equal(keyedValueSize('stats'), 32);
  assert.equal(keyedValueSize(true), 16);
  assert.equal(keyedValueSize(false), 8);
  assert.deepEqual([VALUE_COUNT, VALUE_SUM, VALUE_MIN, VALUE_MAX], [0, 8, 16, 24]);
});

test('a new key is inserted as {1, x, x, x}', () => {
  const updates: bigint[] = [];
  const r = run(statsProgram(true), ctx(-7n), {
    [Helper.map_lookup_elem]: () => 0n,
    [Helper.map_update_elem]: (regs) => {
      updates.push(regs[4] as bigint);
      return 0n;
    },
  });
  assert.deepEqual(updates, [1n], 'BPF_NOEXIST');
  assert.deepEqual(
    [0, 8, 16, 24].map((o) => s64At(r.stack, INIT + o)),
    [1n, -7n, -7n, -7n],
  );
  assert.equal(u32At(r.stack, KEY), 0);
});

test('an existing key: count and sum added, min and max replaced only when passed', () => {
  const prog = statsProgram(true);
  const before = [3n, 10n, 2n, 5n] as const;
  assert.deepEqual(update(prog, 1n, before), [4n, 11n, 1n, 5n], 'new min');
  assert.deepEqual(update(prog, 9n, before), [4n, 19n, 2n, 9n], 'new max');
  assert.deepEqual(update(prog, 3n, before), [4n, 13n, 2n, 5n], 'inside: both kept');
  assert.deepEqual(update(prog, 2n, before), [4n, 12n, 2n, 5n], 'equal to min: kept');
  assert.deepEqual(update(prog, -4n, before), [4n, 6n, -4n, 5n], 'signed: -4 < 2');
  // A 32-bit signed field is sign-extended before it is compared and summed.
  assert.deepEqual(update(statsProgram(true, 4), -4n, before), [4n, 6n, -4n, 5n]);
});

test('an unsigned measure compares unsigned: 2^64 - 1 is the largest', () => {
  const prog = statsProgram(false);
  const r = update(prog, -1n, [1n, 5n, 5n, 5n]);
  assert.deepEqual(r.slice(2), [5n, -1n], 'min kept at 5, max is 0xffff_ffff_ffff_ffff');
  assert.deepEqual(update(prog, 0n, [1n, 5n, 5n, 5n]).slice(2), [0n, 5n]);
});

test('a lost race is retried with the value the other CPU stored', () => {
  const prog = statsProgram(true);
  const setMin = (v: bigint) => (heap: Uint8Array) =>
    new DataView(heap.buffer).setBigUint64(VALUE + VALUE_MIN, BigInt.asUintN(64, v), true);
  // Another CPU lowers min from 10 to 4 just before our cmpxchg: 1 still wins, on the second try.
  let n = 0;
  const lower = (heap: Uint8Array) => {
    if (n++ === 0) setMin(4n)(heap);
  };
  assert.deepEqual(update(prog, 1n, [1n, 10n, 10n, 10n], lower), [2n, 11n, 1n, 10n]);
  assert.equal(n, 2, 'min: the lost try and the winning one; max already held');
  // It lowers min to 0, below our 1: nothing more to do.
  n = 0;
  const below = (heap: Uint8Array) => {
    if (n++ === 0) setMin(0n)(heap);
  };
  assert.deepEqual(update(prog, 1n, [1n, 10n, 10n, 10n], below), [2n, 11n, 0n, 10n]);
  assert.equal(n, 1, 'no retry for min, max already held');
});

test('min and max tries are unrolled: no backward jump for the verifier to bound', () => {
  const prog = statsProgram(true);
  const cas = prog.filter((i) => i.kind === 'atomic' && i.op === 'cmpxchg');
  assert.equal(cas.length, 2 * CAS_TRIES);
  const at = new Map<string, number>();
  prog.forEach((insn, i) => {
    if (insn.kind === 'label') at.set(insn.name, i);
  });
  prog.forEach((insn, i) => {
    if (insn.kind !== 'jump' || typeof insn.target !== 'string') return;
    // The one backward jump is the existing 'add' after a lost insert race, taken once.
    if (insn.target === 'add') return;
    assert.ok((at.get(insn.target) ?? -1) > i, `jump to ${insn.target} goes forward`);
  });
  // Without stats the value is updated exactly as before: no cmpxchg.
  const plain = keyedProgram({
    mapFd: MAP,
    key: [{ kind: 'const', value: 0 }],
    measure: { kind: 'operand', operand: { kind: 'ctx', scalar: X(true) } },
    sum: true,
  });
  assert.equal(plain.filter((i) => i.kind === 'atomic' && i.op === 'cmpxchg').length, 0);
});

/** The linear bucket the program computes for x. */
function linearBucket(part: Extract<KeyPart, { kind: 'linear' }>, signed: boolean, x: bigint) {
  const prog = keyedProgram({
    mapFd: MAP,
    key: [part],
    measure: { kind: 'operand', operand: { kind: 'ctx', scalar: X(signed) } },
  });
  const r = run(prog, ctx(x), {
    [Helper.map_lookup_elem]: () => 0n,
    [Helper.map_update_elem]: () => 0n,
  });
  return u32At(r.stack, KEY);
}

test('linear buckets as lhist(x, 0, 100, 10): below, ten buckets, above', () => {
  const part = { kind: 'linear', min: 0n, max: 100n, step: 10n } as const;
  const xs = [-3n, 0n, 9n, 10n, 37n, 99n, 100n, 150n];
  assert.deepEqual(
    xs.map((x) => linearBucket(part, true, x)),
    [0, 1, 1, 2, 4, 10, 11, 11],
  );
  // Unsigned: -3 is 2^64 - 3, above max.
  assert.equal(linearBucket(part, false, -3n), 11);
  // A range that step does not divide: the last bucket is cut at max.
  const cut = { kind: 'linear', min: 0n, max: 95n, step: 10n } as const;
  assert.deepEqual(
    [90n, 94n, 95n].map((x) => linearBucket(cut, true, x)),
    [10, 10, 11],
  );
});

test('linear buckets agree with LinearHistogram.index, 64-bit bounds included', () => {
  const cases = [
    { min: -50n, max: 50n, step: 7n, signed: true },
    { min: -(1n << 40n), max: 1n << 40n, step: 1n << 36n, signed: true },
    { min: 1n << 33n, max: (1n << 33n) + 3000n, step: 1000n, signed: false },
    { min: 0n, max: 1n << 62n, step: 1n << 50n, signed: false },
  ];
  for (const c of cases) {
    const h = new LinearHistogram(c.min, c.max, c.step);
    const part = { kind: 'linear', min: c.min, max: c.max, step: c.step } as const;
    const span = c.max - c.min;
    const xs = [c.min - 1n, c.min, c.min + c.step - 1n, c.min + c.step, c.min + span / 2n];
    xs.push(c.max - 1n, c.max, c.max + 1n);
    for (const x of xs) {
      // An unsigned measure reads x - 1 below 0 as 2^64 - 1.
      const v = c.signed ? x : BigInt.asUintN(64, x);
      assert.equal(linearBucket(part, c.signed, x), h.index(v), `x ${v} in ${c.min}..${c.max}`);
    }
  }
});

test('linear parts are checked: min < max, step > 0, not too many, min >= 0 when unsigned', () => {
  const bad = (p: Extract<KeyPart, { kind: 'linear' }>, signed = true) =>
    assert.throws(
      () => linearBucket(p, signed, 0n),
      (e) => e instanceof ProbekitError && e.code === 'E_BPF_KEY',
    );
  bad({ kind: 'linear', min: 10n, max: 10n, step: 1n });
  bad({ kind: 'linear', min: 0n, max: 10n, step: 0n });
  bad({ kind: 'linear', min: 0n, max: 1_000_000n, step: 1n });
  bad({ kind: 'linear', min: -1n, max: 10n, step: 1n }, false);
  assert.throws(() =>
    keyedProgram({ mapFd: MAP, key: [{ kind: 'linear', min: 0n, max: 10n, step: 1n }] }),
  );
});
