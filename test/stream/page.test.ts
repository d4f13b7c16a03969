import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFormat } from '../../src/stream/format.js';
import { decodePage } from '../../src/stream/page.js';
import { RawDecoder } from '../../src/stream/raw-reader.js';
import { FormatRegistry } from '../../src/stream/registry.js';
import { isFault, type StreamItem, type TraceEvent } from '../../src/stream/types.js';
import { loadFixtures } from './fixtures.js';
import { buildPage, type Entry, LAYOUT64, SMALL_FORMAT, smallRecord } from './page-builder.js';

const small = () => new FormatRegistry().add(parseFormat(SMALL_FORMAT, 'probe'));
const ctx = (cpu = 0) => ({ layout: LAYOUT64, formats: small(), cpu });
const events = (items: StreamItem[]) => items.filter((i): i is TraceEvent => i.type === 'event');
const rec = (v: number) => smallRecord(42, 0x401000n, BigInt(v));
const data = (delta: number, v: number): Entry => ({ kind: 'data', delta, payload: rec(v) });

test('real pages: every captured event decodes with typed fields', () => {
  const fx = loadFixtures();
  const all: TraceEvent[] = [];
  fx.pages.forEach((bytes, cpu) => {
    const items = decodePage(bytes, { layout: fx.layout, formats: fx.formats, cpu });
    assert.deepEqual(
      items.filter((i) => i.type !== 'event'),
      [],
    );
    all.push(...events(items));
    const ts = events(items).map((e) => e.timestampNs);
    assert.deepEqual(
      [...ts].sort((a, b) => (a < b ? -1 : 1)),
      ts,
      'timestamps rise within a page',
    );
  });
  const textEvents = fx.trace.split('\n').filter((l) => l && !l.startsWith('#')).length;
  assert.equal(all.length, textEvents);
  const t = all.find((e) => e.event === 'tentry' && e.fields['s'] === 'hello')!;
  assert.equal(typeof t.fields['a'], 'bigint');
  assert.equal(t.fields['a'], -20n);
  assert.equal(t.fields['ax'], 0xffffffec);
  assert.equal(t.fields['au'], 236);
  assert.deepEqual(t.fields['arr'], [0, 0, 1000000]);
  assert.equal(t.fields['bf'], (0xa5 >> 2) & 0xf);
  assert.equal(t.fields['big'], 0xfedcba9876543210n);
  assert.equal(t.fields['c'], 'a'.charCodeAt(0));
  assert.ok(isFault(t.fields['istr']));
  assert.deepEqual(t.fields['sa'], ['with space', 'even'], 'a probe string[2]');
  assert.equal(t.group, 'probe');
  assert.ok(t.ip !== null && t.func === null);
  const long = all.find(
    (e) => typeof e.fields['s'] === 'string' && (e.fields['s'] as string).startsWith('LLL'),
  )!;
  assert.equal(
    (long.fields['s'] as string).length,
    199,
    'a record over 112 bytes (type_len 0) decodes',
  );
  const ret = all.find((e) => e.event === 'tret')!;
  assert.equal(ret.func, t.ip, 'return probe func is the entry address');
  const exec = all.find((e) => e.event === 'sched_process_exec')!;
  assert.match(exec.fields['filename'] as string, /\/t$/);
  assert.equal(exec.fields['pid'], exec.pid);
});

test('time deltas, time extend, absolute stamps and discarded records', () => {
  const page = buildPage(
    [
      data(5, 1),
      { kind: 'extend', delta: 300_474_542 },
      data(7, 2),
      { kind: 'discard', delta: 999, length: 28 },
      data(3, 3),
      { kind: 'abs', ts: 5_000_000_000n },
      data(10, 4),
      { kind: 'end' },
      data(1, 99),
    ],
    { timestamp: 1_000_000_000n },
  );
  const ev = events(decodePage(page, ctx()));
  assert.deepEqual(
    ev.map((e) => [e.fields['v'], e.timestampNs]),
    [
      [1n, 1_000_000_005n],
      [2n, 1_000_000_005n + 300_474_542n + 7n],
      [3n, 1_000_000_005n + 300_474_542n + 10n],
      [4n, 5_000_000_010n],
    ],
    'padding with delta 0 ends the page; a discarded record does not move time',
  );
  assert.deepEqual(
    [ev[0]!.pid, ev[0]!.ip, ev[0]!.comm, ev[0]!.tgid],
    [42, 0x401000n, '<...>', null],
  );
});

test('an absolute stamp keeps the top bits of the running time (rb_fix_abs_ts)', () => {
  const top = 0b00001n << 59n;
  const page = buildPage([{ kind: 'abs', ts: 100n }, data(1, 1)], { timestamp: top + 50n });
  assert.equal(events(decodePage(page, ctx()))[0]!.timestampNs, top + 101n);
  const wrap = buildPage([{ kind: 'abs', ts: 10n }, data(0, 1)], { timestamp: top + 500n });
  assert.equal(events(decodePage(wrap, ctx()))[0]!.timestampNs, top + (1n << 59n) + 10n);
});

test('lost events: the missed flag, with and without a stored count', () => {
  const stored = decodePage(buildPage([data(1, 1)], { timestamp: 1n, lostCount: 4488 }), ctx(3));
  assert.deepEqual(stored[0], { type: 'lost', cpu: 3, count: 4488, source: 'page' });
  assert.equal(
    events(stored).length,
    1,
    'the sign-extended commit word still gives the right size',
  );
  const unknown = decodePage(buildPage([data(1, 1)], { timestamp: 1n, missed: true }), ctx(1));
  assert.deepEqual(unknown[0], { type: 'lost', cpu: 1, count: 0, source: 'page' });
});

test('type_len 0 records and big-endian pages', () => {
  const long: Entry = { kind: 'data', delta: 2, payload: rec(7), long: true };
  assert.equal(events(decodePage(buildPage([long], { timestamp: 0n }), ctx()))[0]!.fields['v'], 7n);
  const be = buildPage(
    [{ kind: 'data', delta: 4, payload: smallRecord(9, 1n, 0x0102030405060708n, 100, false) }],
    {
      timestamp: 77n,
      littleEndian: false,
    },
  );
  const ev = events(decodePage(be, { ...ctx(), littleEndian: false }));
  assert.deepEqual(
    [ev[0]!.pid, ev[0]!.fields['v'], ev[0]!.timestampNs],
    [9, 0x0102030405060708n, 81n],
  );
});

test('corrupt pages give decode errors, not exceptions', () => {
  const huge = decodePage(buildPage([data(1, 1)], { timestamp: 0n, commitSize: 5000 }), ctx());
  assert.equal(huge.length, 1);
  assert.match((huge[0] as { message: string }).message, /commit size 5000/);
  const short = decodePage(new Uint8Array(10), ctx());
  assert.equal(short[0]?.type, 'decode-error');
  const unknownId = decodePage(
    buildPage([{ kind: 'data', delta: 1, payload: smallRecord(1, 1n, 1n, 555) }, data(1, 2)], {
      timestamp: 0n,
    }),
    ctx(),
  );
  assert.deepEqual(
    unknownId.map((i) => i.type),
    ['decode-error', 'event'],
    'an unknown id skips one record, the page goes on',
  );
  assert.match((unknownId[0] as { message: string }).message, /unknown event id 555/);
  const tooShort = decodePage(
    buildPage([{ kind: 'data', delta: 1, payload: rec(1).subarray(0, 12) }], { timestamp: 0n }),
    ctx(),
  );
  assert.match((tooShort[0] as { message: string }).message, /shorter than the 24/);
  // A type_len 0 record whose length points past the data.
  const page = buildPage([data(1, 1)], { timestamp: 0n });
  const v = new DataView(page.buffer);
  v.setUint32(16, 0, true);
  v.setUint32(20, 4000, true);
  const past = decodePage(page, ctx());
  assert.equal(past.at(-1)?.type, 'decode-error');
});

test('dynamic strings: offsets past the record are errors, length 0 is a fault', () => {
  const fmt = `name: str
ID: 200
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:__data_loc char[] s;\toffset:8;\tsize:4;\tsigned:1;
\tfield:__rel_loc char[] r;\toffset:12;\tsize:4;\tsigned:1;
`;
  const formats = new FormatRegistry().add(parseFormat(fmt, 'g'));
  const payload = (loc: number, rel: number) => {
    const b = new Uint8Array(24);
    const v = new DataView(b.buffer);
    v.setUint16(0, 200, true);
    v.setInt32(4, 5, true);
    v.setUint32(8, loc, true);
    v.setUint32(12, rel, true);
    b.set([104, 105, 0, 0, 111, 107, 0, 0], 16);
    return b;
  };
  const run = (loc: number, rel: number) =>
    decodePage(
      buildPage([{ kind: 'data', delta: 1, payload: payload(loc, rel) }], { timestamp: 0n }),
      {
        layout: LAYOUT64,
        formats,
        cpu: 0,
      },
    );
  const ok = events(run((3 << 16) | 16, (3 << 16) | 4));
  assert.deepEqual(ok[0]?.fields, { s: 'hi', r: 'ok' });
  assert.ok(isFault(events(run(16, (3 << 16) | 4))[0]?.fields['s']));
  const bad = run((200 << 16) | 16, 0);
  assert.equal(bad[0]?.type, 'decode-error');
  assert.match((bad[0] as { message: string }).message, /field s: dynamic data/);
});

test('RawDecoder cuts chunks into pages, keeps partial pages per CPU, counts', () => {
  const p1 = buildPage([data(1, 1), data(1, 2)], { timestamp: 10n });
  const p2 = buildPage([data(1, 3)], { timestamp: 20n, lostCount: 5 });
  const all = new Uint8Array([...p1, ...p2]);
  const dec = new RawDecoder({ layout: LAYOUT64, formats: small() });
  const a = dec.push(0, all.subarray(0, 1000));
  const b = dec.push(1, p1);
  const c = dec.push(0, all.subarray(1000));
  assert.equal(a.length, 0);
  assert.deepEqual(
    events(b).map((e) => e.cpu),
    [1, 1],
  );
  assert.deepEqual(
    c.map((i) => i.type),
    ['event', 'event', 'lost', 'event'],
  );
  assert.deepEqual(dec.stats, { pages: 3, events: 5, lost: 5, lostPages: 1, decodeErrors: 0 });
  assert.equal(dec.pageSize, 4096);
  assert.deepEqual(dec.flush(), []);
});

test('a layout that does not fit the bytes gives a decode error, not an exception', () => {
  const layout = { ...LAYOUT64, timestampOffset: 4090 };
  const items = decodePage(new Uint8Array(4096), { layout, formats: small(), cpu: 2 });
  assert.deepEqual(
    items.map((i) => [i.type, i.cpu]),
    [['decode-error', 2]],
  );
});
