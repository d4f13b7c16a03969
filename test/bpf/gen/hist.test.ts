import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketOf, bucketRange, log2Bucket } from '../../../src/bpf/gen/hist.js';
import { loadScalar } from '../../../src/bpf/gen/snippets.js';
import { exit, ldx, mov64 } from '../../../src/bpf/insn/builder.js';
import { run } from './interp.js';

/** Run the generated log2 code on v (read from ctx) and return r2. */
function bucketInBpf(v: bigint): bigint {
  const ctx = new Uint8Array(8);
  new DataView(ctx.buffer).setBigUint64(0, v, true);
  return run([ldx(8, 'r1', 'r1', 0), ...log2Bucket(), mov64('r0', 'r2'), exit()], ctx).r0;
}

test('the generated log2 code puts each value in the bucket bucketOf names', () => {
  const values = [
    0n,
    1n,
    2n,
    3n,
    4n,
    7n,
    8n,
    1000n,
    1023n,
    1024n,
    (1n << 32n) - 1n,
    1n << 32n,
    (1n << 63n) - 1n,
    1n << 63n,
    (1n << 64n) - 1n,
  ];
  for (let i = 0n; i < 70n; i++) values.push(i * 37n + 5n);
  for (const v of values) assert.equal(Number(bucketInBpf(v)), bucketOf(v), `value ${v}`);
  assert.equal(bucketOf(0n), 0);
  assert.equal(bucketOf(1n), 1);
  assert.equal(bucketOf((1n << 64n) - 1n), 64);
});

test('bucket ranges are [2^(k-1), 2^k) and bucket 0 is zero', () => {
  assert.deepEqual(bucketRange(0), [0n, 1n]);
  assert.deepEqual(bucketRange(1), [1n, 2n]);
  assert.deepEqual(bucketRange(11), [1024n, 2048n]);
  for (const v of [5n, 1000n, 1n << 40n]) {
    const [lo, hi] = bucketRange(bucketOf(v));
    assert.ok(lo <= v && v < hi);
  }
});

test('signed narrow context fields are sign-extended, unsigned ones are not', () => {
  const ctx = new Uint8Array(16);
  const dv = new DataView(ctx.buffer);
  dv.setInt32(8, -5, true);
  dv.setUint16(12, 0xfffe, true);
  const signed = run(
    [...loadScalar('r0', 'r1', { offset: 8, size: 4, signed: true, name: 'x' }), exit()],
    ctx,
  ).r0;
  assert.equal(BigInt.asIntN(64, signed), -5n);
  const unsigned = run(
    [...loadScalar('r0', 'r1', { offset: 12, size: 2, signed: false, name: 'y' }), exit()],
    ctx,
  ).r0;
  assert.equal(unsigned, 0xfffen);
});
