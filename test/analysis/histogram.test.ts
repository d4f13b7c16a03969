import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Counter, countBy } from '../../src/analysis/counts.js';
import { Log2Histogram, log2Bucket, renderLog2 } from '../../src/analysis/histogram.js';

test('log2 buckets like bcc', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 7, 8, 1023, 1024].map((v) => log2Bucket(v)),
    [0, 0, 1, 1, 2, 2, 3, 9, 10],
  );
  assert.equal(log2Bucket(2n ** 40n), 40);
  assert.equal(log2Bucket(-5), 0);
  assert.equal(log2Bucket(2 ** 40 + 1), 40);
  assert.deepEqual(Log2Histogram.range(0), [0n, 1n]);
  assert.deepEqual(Log2Histogram.range(3), [8n, 15n]);
});

test('renders a bcc-style text histogram', () => {
  const h = new Log2Histogram();
  for (const v of [0, 1, 2, 3, 3, 3, 9]) h.add(v);
  h.add(20n, 2);
  assert.equal(
    renderLog2(h, { unit: 'usecs' }),
    [
      '     usecs               : count    distribution',
      '         0 -> 1          : 2        |********************                    |',
      '         2 -> 3          : 4        |****************************************|',
      '         4 -> 7          : 0        |                                        |',
      '         8 -> 15         : 1        |**********                              |',
      '        16 -> 31         : 2        |********************                    |',
      '',
    ].join('\n'),
  );
  assert.equal(h.total, 9);
  assert.equal(renderLog2(new Log2Histogram()), '');
});

test('counts by key, top-N, bounded keys', () => {
  const c = countBy(['a', 'b', 'a', 'c', 'a', 'b'], (x) => x);
  assert.deepEqual(c.top(2), [
    { key: 'a', count: 3 },
    { key: 'b', count: 2 },
  ]);
  const small = new Counter<string>(2);
  for (const k of ['x', 'y', 'z', 'z', 'x']) small.add(k);
  assert.deepEqual(
    [small.size, small.other, small.total, small.get('x'), small.get('z')],
    [2, 2, 5, 2, 0],
  );
});
