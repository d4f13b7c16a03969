import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comm, u32, u64 } from '../../../src/bpf/codec.js';
import { possibleCpus } from '../../../src/bpf/cpus.js';
import { createMap, sum } from '../../../src/bpf/map.js';
import { checkNoLeaksAtEnd, liveSkipReason } from './helpers.js';

const skip = liveSkipReason();
checkNoLeaksAtEnd(skip, 'no bpf fd left open');

test('hash map: update, lookup, delete, iterate, update modes', (t) => {
  if (skip) return t.skip(skip);
  using m = createMap({ type: 'hash', name: 'm_hash', key: comm, value: u64, maxEntries: 8 });
  m.update('bash', 3n);
  m.update('node', 5n);
  assert.equal(m.lookup('bash'), 3n);
  assert.equal(m.lookup('zsh'), undefined);
  assert.deepEqual([...m.keys()].sort(), ['bash', 'node']);
  assert.throws(() => m.update('bash', 1n, 'noexist'), /EEXIST/);
  assert.throws(() => m.update('zsh', 1n, 'exist'), /ENOENT/);
  m.update('bash', 4n, 'exist');
  assert.deepEqual(
    [...m.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    [
      ['bash', [4n]],
      ['node', [5n]],
    ],
  );
  assert.equal(m.delete('bash'), true);
  assert.equal(m.delete('bash'), false);
  assert.deepEqual([...m.keys()], ['node']);
  assert.equal(m.perCpu, false);
});

test('array map: every index exists, zero-filled', (t) => {
  if (skip) return t.skip(skip);
  using m = createMap({ type: 'array', name: 'm_array', key: u32, value: u64, maxEntries: 4 });
  assert.deepEqual([...m.keys()], [0, 1, 2, 3]);
  m.update(2, 42n);
  assert.deepEqual(
    [...m.entries()].map(([, v]) => v[0]),
    [0n, 0n, 42n, 0n],
  );
  assert.throws(() => m.update(4, 1n), /E2BIG|EINVAL/);
});

test('per-CPU maps give one value per possible CPU, summed on request', (t) => {
  if (skip) return t.skip(skip);
  const cpus = possibleCpus().length;
  using a = createMap({
    type: 'percpu_array',
    name: 'm_pcpu_a',
    key: u32,
    value: u64,
    maxEntries: 2,
  });
  const vals = Array.from({ length: cpus }, (_, i) => BigInt(i + 1));
  a.update(1, vals);
  assert.deepEqual(a.lookupPerCpu(1), vals);
  assert.equal(sum(a.lookupPerCpu(1) ?? []), BigInt((cpus * (cpus + 1)) / 2));
  using h = createMap({
    type: 'percpu_hash',
    name: 'm_pcpu_h',
    key: u32,
    value: u32,
    maxEntries: 2,
  });
  h.update(7, 9);
  assert.deepEqual(
    h.lookupPerCpu(7),
    new Array(cpus).fill(9),
    'a single value is copied to every CPU',
  );
});

test('LRU hash evicts old keys instead of failing when full', (t) => {
  if (skip) return t.skip(skip);
  using m = createMap({ type: 'lru_hash', name: 'm_lru', key: u32, value: u64, maxEntries: 64 });
  for (let i = 0; i < 1000; i++) m.update(i, BigInt(i));
  const keys = [...m.keys()];
  assert.ok(keys.length <= 64 + 8 * possibleCpus().length, `${keys.length} keys kept`);
  assert.equal(m.lookup(999), 999n, 'the newest key is present');
});

test('a map spec with a bad size is refused before the kernel sees it', (t) => {
  if (skip) return t.skip(skip);
  assert.throws(
    () => createMap({ type: 'hash', name: 'bad', key: u32, value: u64, maxEntries: 0 }),
    /maxEntries must be a positive integer, got 0/,
  );
});
