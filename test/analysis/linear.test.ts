import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LinearHistogram, renderLinear } from '../../src/analysis/linear.js';

test('linear buckets like lhist: below min, [min + i*step, ...), max and above', () => {
  const h = new LinearHistogram(0, 100, 10);
  assert.equal(h.buckets.length, 10);
  assert.deepEqual(
    [-3, 0, 9, 10, 99, 100, 150].map((v) => h.index(v)),
    [0, 1, 1, 2, 10, 11, 11],
  );
  assert.deepEqual(h.range(0), [0n, 10n]);
  assert.deepEqual(h.range(9), [90n, 100n]);
  const cut = new LinearHistogram(0n, 95n, 10n);
  assert.equal(cut.buckets.length, 10);
  assert.deepEqual(cut.range(9), [90n, 95n], 'the last bucket is cut at max');
  assert.equal(cut.index(95n), 11);
  const neg = new LinearHistogram(-20, 20, 10);
  assert.deepEqual(
    [-21n, -20n, -11n, -10n, 19n, 20n].map((v) => neg.index(v)),
    [0, 1, 1, 2, 4, 5],
  );
});

test('add and addIndex count in the same buckets', () => {
  const h = new LinearHistogram(0, 100, 10);
  for (const v of [5, 150, -3, 100, 37, 37]) h.add(v);
  assert.deepEqual([h.below, h.above, h.total], [1, 2, 6]);
  assert.deepEqual(h.buckets, [1, 0, 0, 2, 0, 0, 0, 0, 0, 0]);
  const k = new LinearHistogram(0, 100, 10);
  k.addIndex(0, 1);
  k.addIndex(1, 1);
  k.addIndex(4, 2);
  k.addIndex(11, 2);
  assert.deepEqual(k, h);
});

test('bad bounds are refused with what was given', () => {
  assert.throws(() => new LinearHistogram(10, 10, 1), /min < max.*min 10, max 10, step 1/);
  assert.throws(() => new LinearHistogram(0, 10, 0), /step > 0/);
  assert.throws(() => new LinearHistogram(0.5, 10, 1), /min must be an integer, got 0.5/);
  assert.throws(() => new LinearHistogram(0n, 1n << 40n, 1n), /too many/);
});

test('renders as bpftrace prints lhist (captured from bpftrace v0.17.0 on this machine)', () => {
  // bpftrace -e 'BEGIN { @x = lhist(5, 0, 100, 10); @x = lhist(150, 0, 100, 10);
  //   @x = lhist(-3, 0, 100, 10); @x = lhist(100, 0, 100, 10);
  //   @x = lhist(37, 0, 100, 10); @x = lhist(37, 0, 100, 10); exit() }'
  const h = new LinearHistogram(0, 100, 10);
  for (const v of [5, 150, -3, 100, 37, 37]) h.add(v);
  assert.equal(
    renderLinear(h),
    [
      '(..., 0)               1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |',
      '[0, 10)                1 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |',
      '[10, 20)               0 |                                                    |',
      '[20, 30)               0 |                                                    |',
      '[30, 40)               2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|',
      '[40, 50)               0 |                                                    |',
      '[50, 60)               0 |                                                    |',
      '[60, 70)               0 |                                                    |',
      '[70, 80)               0 |                                                    |',
      '[80, 90)               0 |                                                    |',
      '[90, 100)              0 |                                                    |',
      '[100, ...)             2 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|',
      '',
    ].join('\n'),
  );
  // Only from the first to the last non-empty bucket; long labels push the count right.
  const z = new LinearHistogram(0, 5_000_000, 1_000_000);
  z.add(2_000_000);
  assert.equal(
    renderLinear(z),
    '[2000000, 3000000)       1 |@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@|\n',
  );
  assert.equal(renderLinear(new LinearHistogram(0, 10, 1)), '');
});
