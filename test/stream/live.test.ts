import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHeaderPage } from '../../src/stream/header.js';
import { RawDecoder } from '../../src/stream/raw-reader.js';
import { capture, leftovers, liveCaptureUnavailable } from './capture.js';
import { assertConformance } from './conformance.js';
import { registryFrom } from './fixtures.js';

test('live: capture on the running kernel, then text and binary decoding agree', async (t) => {
  const why = liveCaptureUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const c = await capture();
  assert.deepEqual(leftovers(c.group), [], 'nothing of ours is left in tracefs');
  const formats = registryFrom(c.formats);
  const layout = parseHeaderPage(c.headerPage);
  assert.equal(
    layout.dataOffset + layout.dataSize,
    c.subbufSize,
    'header_page matches buffer_subbuf_size_kb',
  );
  const pages = c.raw.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  const input = {
    layout,
    formats,
    pages,
    savedCmdlines: c.savedCmdlines,
    savedTgids: c.savedTgids,
  };
  const n = assertConformance({ ...input, text: c.traceTgid, withTgid: true });
  assert.ok(n >= 40, `compared ${n} events`);
  assertConformance({ ...input, text: c.traceNoIrq, withTgid: false });
});

test('live: an overrun buffer reports the lost count the kernel stored in the page', async (t) => {
  const why = liveCaptureUnavailable();
  if (why) {
    t.skip(why);
    return;
  }
  const c = await capture({ overflowCalls: 20_000, bufferKb: 8 });
  assert.deepEqual(leftovers(c.group), []);
  const formats = registryFrom(c.formats);
  const layout = parseHeaderPage(c.headerPage);
  const raw = new RawDecoder({ layout, formats });
  const items = c.raw.flatMap((b, cpu) =>
    raw.push(cpu, new Uint8Array(b.buffer, b.byteOffset, b.byteLength)),
  );
  const stat = (cpu: number, name: string) =>
    Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(c.stats[cpu] ?? '')?.[1]);
  const overrun = stat(0, 'overrun');
  assert.ok(overrun > 0, 'the 8 KiB buffer overran');
  const lost = items.flatMap((i) => (i.type === 'lost' && i.cpu === 0 ? [i.count] : []));
  assert.ok(lost.length > 0, 'a page carries the missed-events flag');
  const sum = lost.reduce((a, b) => a + b, 0);
  if (lost.includes(0)) {
    // A full page has no room for the count (RB_MISSED_STORED unset): only the flag is known.
    assert.ok(sum <= overrun, `stored counts ${sum} <= overrun ${overrun}`);
  } else {
    assert.equal(sum, overrun, 'page lost counts add up to the overrun');
  }
  assert.equal(items.filter((i) => i.type === 'event' && i.cpu === 0).length, stat(0, 'entries'));
  assert.equal(raw.stats.decodeErrors, 0);
  const pages = c.raw.map((b) => new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  const input = {
    layout,
    formats,
    pages,
    savedCmdlines: c.savedCmdlines,
    savedTgids: c.savedTgids,
  };
  assertConformance({ ...input, text: c.traceTgid, withTgid: true, allowLost: true });
});
