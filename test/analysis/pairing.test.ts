import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CallPairer, pairCalls } from '../../src/analysis/pairing.js';
import { RawDecoder } from '../../src/stream/raw-reader.js';
import type { FieldValue, TraceEvent } from '../../src/stream/types.js';
import { loadFixtures } from '../stream/fixtures.js';

const F = 0x1000n;
function entry(
  pid: number,
  ts: number,
  fields: Record<string, FieldValue> = {},
  fn = F,
): TraceEvent {
  return {
    type: 'event',
    group: 'g',
    event: 'in',
    comm: `c${pid}`,
    pid,
    tgid: 1,
    cpu: 0,
    timestampNs: BigInt(ts),
    ip: fn,
    func: null,
    retIp: null,
    fields,
  };
}
function ret(pid: number, ts: number, value: number, fn = F): TraceEvent {
  return {
    type: 'event',
    group: 'g',
    event: 'out',
    comm: `c${pid}`,
    pid,
    tgid: 1,
    cpu: 0,
    timestampNs: BigInt(ts),
    ip: null,
    func: fn,
    retIp: 0x2000n,
    fields: { ret: value },
  };
}

test('recursion pairs innermost first', () => {
  const { calls, stats } = pairCalls([
    entry(1, 0, { n: 2 }),
    entry(1, 10, { n: 1 }),
    entry(1, 20, { n: 0 }),
    ret(1, 25, 0),
    ret(1, 40, 1),
    ret(1, 100, 2),
  ]);
  assert.deepEqual(
    calls.map((c) => [c.entryFields['n'], c.returnValue, c.latencyNs]),
    [
      [0, 0, 5n],
      [1, 1, 30n],
      [2, 2, 100n],
    ],
  );
  assert.equal(stats.paired, 3);
  assert.equal(stats.open, 0);
});

test('interleaved threads pair with their own entries', () => {
  const { calls } = pairCalls([
    entry(1, 0),
    entry(2, 5),
    ret(1, 7, 11),
    entry(1, 8),
    ret(2, 9, 22),
    ret(1, 20, 33),
  ]);
  assert.deepEqual(
    calls.map((c) => [c.pid, c.comm, c.latencyNs, c.returnValue]),
    [
      [1, 'c1', 7n, 11],
      [2, 'c2', 4n, 22],
      [1, 'c1', 12n, 33],
    ],
  );
});

test('different functions on one thread; a lost inner return abandons the inner entry', () => {
  const G = 0x3000n;
  const p = new CallPairer();
  p.push(entry(1, 0));
  p.push(entry(1, 1, {}, G));
  const c = p.push(ret(1, 10, 5));
  assert.equal(c?.latencyNs, 10n);
  assert.equal(p.stats.abandoned, 1);
  assert.equal(p.push(ret(1, 11, 0, G)), null);
  assert.equal(p.stats.unmatchedReturns, 1);
});

test('calls that never return expire after expireNs and are counted', () => {
  const p = new CallPairer({ expireNs: 1000n });
  p.push(entry(1, 0));
  p.push(entry(2, 500));
  assert.equal(p.stats.open, 2);
  p.push(entry(3, 1200));
  assert.deepEqual([p.stats.expired, p.stats.open], [1, 2]);
  assert.equal(p.push(ret(1, 1300, 0)), null, 'the expired call cannot pair any more');
  assert.equal(p.push(ret(2, 1400, 0))?.latencyNs, 900n);
  assert.equal(p.expire(10_000n), 1);
  assert.deepEqual([p.stats.expired, p.stats.open, p.stats.unmatchedReturns], [2, 0, 1]);
});

test('bounds: depth per thread and open calls in all', () => {
  const deep = new CallPairer({ maxDepthPerThread: 3 });
  for (let i = 0; i < 5; i++) deep.push(entry(1, i, { i }));
  assert.equal(deep.stats.droppedDepth, 2);
  assert.deepEqual(
    deep.openCalls(1).map((e) => e.fields['i']),
    [2, 3, 4],
  );
  const wide = new CallPairer({ maxOpen: 4 });
  for (let pid = 1; pid <= 10; pid++) wide.push(entry(pid, pid));
  assert.deepEqual([wide.stats.droppedTotal, wide.stats.open], [6, 4]);
  assert.deepEqual(wide.openCalls(1), []);
  assert.equal(wide.openCalls(10).length, 1);
});

test('syscall enter/exit pair by name; custom classification and return field', () => {
  const sys = (event: string, ts: number, fields: Record<string, FieldValue>): TraceEvent => ({
    ...entry(1, ts, fields),
    ip: null,
    event,
  });
  const { calls } = pairCalls([
    sys('sys_enter_openat', 100, { dfd: -100n }),
    sys('sys_exit_openat', 350, { __syscall_nr: 257, ret: 3n }),
  ]);
  assert.deepEqual(
    [calls[0]?.key, calls[0]?.latencyNs, calls[0]?.returnValue],
    ['sys_openat', 250n, 3n],
  );
  const custom = pairCalls([entry(1, 0), { ...ret(1, 5, 0), fields: { rv: 9 } }], {
    classify: (e) => ({ side: e.event === 'in' ? 'entry' : 'return', key: 'k' }),
    returnField: 'rv',
  });
  assert.equal(custom.calls[0]?.returnValue, 9);
});

test('real captured recursion (rec(3) with uprobes) pairs into 4 calls', () => {
  const fx = loadFixtures();
  const dec = new RawDecoder({ layout: fx.layout, formats: fx.formats });
  const items = fx.pages.flatMap((p, cpu) => dec.push(cpu, p));
  const evs = items.filter(
    (i): i is TraceEvent => i.type === 'event' && (i.event === 'rentry' || i.event === 'rret'),
  );
  evs.sort((a, b) => (a.timestampNs < b.timestampNs ? -1 : 1));
  const { calls, stats } = pairCalls(evs);
  assert.deepEqual(
    calls.map((c) => [c.entryFields['n'], c.returnValue]),
    [
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
    ],
  );
  assert.ok(calls.every((c) => c.latencyNs > 0n));
  assert.equal(stats.unmatchedReturns, 0);
});
