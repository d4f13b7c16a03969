import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeStreams, StreamMerger } from '../../src/stream/merge.js';
import { decodePage } from '../../src/stream/page.js';
import { decodeText } from '../../src/stream/text.js';
import type { StreamItem, TraceEvent } from '../../src/stream/types.js';
import { loadFixtures } from './fixtures.js';

function ev(cpu: number, ts: number, tag = ''): TraceEvent {
  return {
    type: 'event',
    group: 'g',
    event: tag || `e${ts}`,
    comm: 'c',
    pid: 1,
    tgid: null,
    cpu,
    timestampNs: BigInt(ts),
    ip: null,
    func: null,
    retIp: null,
    fields: {},
  };
}
const tsOf = (items: StreamItem[]) =>
  items.map((i) => (i.type === 'event' ? Number(i.timestampNs) : i.type));

test('merging the captured per-CPU pages gives the kernel text order', () => {
  const fx = loadFixtures();
  const perCpu = fx.pages.map((p, cpu) =>
    decodePage(p, { layout: fx.layout, formats: fx.formats, cpu }),
  );
  const merged = mergeStreams(perCpu) as TraceEvent[];
  const text = decodeText(fx.trace, { formats: fx.formats }) as TraceEvent[];
  assert.equal(merged.length, text.length);
  for (let i = 1; i < merged.length; i++)
    assert.ok(merged[i - 1]!.timestampNs <= merged[i]!.timestampNs);
  assert.deepEqual(
    merged.map((e) => [e.cpu, e.event]),
    text.map((e) => [e.cpu, e.event]),
  );
});

test('a count window releases the oldest once full; flush releases the rest in order', () => {
  const m = new StreamMerger({ windowCount: 2 });
  const out = [...m.push([ev(0, 10), ev(0, 30)], 0), ...m.push([ev(1, 20), ev(1, 40)], 1)];
  assert.deepEqual(tsOf(out), [10, 20]);
  assert.equal(m.pending, 2);
  assert.deepEqual(tsOf(m.flush()), [30, 40]);
  assert.equal(m.pending, 0);
});

test('a time window releases items older than newest - window', () => {
  const m = new StreamMerger({ windowCount: 1000, windowNs: 100n });
  assert.deepEqual(tsOf(m.push([ev(0, 10), ev(0, 50)], 0)), []);
  assert.deepEqual(tsOf(m.push([ev(1, 20), ev(1, 200)], 1)), [10, 20, 50]);
  assert.deepEqual(tsOf(m.flush()), [200]);
});

test('items without timestamps stay after the last event of their CPU', () => {
  const lost: StreamItem = { type: 'lost', cpu: 1, count: 3, source: 'page' };
  const merged = mergeStreams([
    [ev(0, 10), ev(0, 40)],
    [ev(1, 20), lost, ev(1, 30)],
  ]);
  assert.deepEqual(tsOf(merged), [10, 20, 'lost', 30, 40]);
});

test('late arrivals outside the window are still emitted and counted', () => {
  const m = new StreamMerger({ windowCount: 1 });
  const out = [...m.push([ev(0, 100), ev(0, 200)]), ...m.push([ev(1, 50)]), ...m.flush()];
  assert.equal(out.length, 3);
  assert.equal(m.outOfOrder, 1);
});
