/**
 * The conformance check shared by the fixture test and the live test: the text
 * decoder and the binary decoder must give the same events for the same capture.
 * Timestamps compare at microsecond precision (the text rounds to the nearest
 * microsecond); fields compare exactly, except fields the text never prints
 * (`__syscall_nr` of syscall events).
 */
import assert from 'node:assert/strict';
import { parseSavedCmdlines, parseSavedTgids } from '../../src/stream/cmdlines.js';
import type { PageLayout } from '../../src/stream/header.js';
import { mergeStreams } from '../../src/stream/merge.js';
import { RawDecoder } from '../../src/stream/raw-reader.js';
import type { FormatRegistry } from '../../src/stream/registry.js';
import { decodeText } from '../../src/stream/text.js';
import type { FieldValue, StreamItem, TraceEvent } from '../../src/stream/types.js';
import { sameValue } from '../../src/stream/values.js';

export interface ConformanceInput {
  readonly layout: PageLayout;
  readonly formats: FormatRegistry;
  /** Concatenated raw pages per CPU. */
  readonly pages: readonly Uint8Array[];
  readonly text: string;
  readonly savedCmdlines: string;
  readonly savedTgids: string;
  /** Whether the text has the TGID column. */
  readonly withTgid: boolean;
  /** Lost-event items are expected (an overrun buffer) and left out of the comparison. */
  readonly allowLost?: boolean;
}

const TEXT_OMITS = new Set(['__syscall_nr']);

function usecs(ns: bigint): bigint {
  return (ns + 500n) / 1000n;
}

function show(v: unknown): string {
  return JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? `${x}n` : x));
}

export function decodeBoth(input: ConformanceInput): { text: StreamItem[]; binary: StreamItem[] } {
  const comms = parseSavedCmdlines(input.savedCmdlines);
  const tgids = parseSavedTgids(input.savedTgids);
  const raw = new RawDecoder({
    layout: input.layout,
    formats: input.formats,
    comm: (pid) => comms.get(pid),
    tgid: input.withTgid ? (pid) => tgids.get(pid) : undefined,
  });
  const perCpu = input.pages.map((bytes, cpu) => [...raw.push(cpu, bytes), ...raw.flush()]);
  return { text: decodeText(input.text, { formats: input.formats }), binary: mergeStreams(perCpu) };
}

/** Asserts the two decoders agree; returns the number of events compared. */
export function assertConformance(input: ConformanceInput): number {
  const both = decodeBoth(input);
  const keep = (i: StreamItem) => !(input.allowLost && i.type === 'lost');
  const text = both.text.filter(keep);
  const binary = both.binary.filter(keep);
  const bad = [...text, ...binary].filter((i) => i.type !== 'event');
  assert.deepEqual(bad, [], 'no decode errors or losses in either decoding');
  const t = text as TraceEvent[];
  const b = binary as TraceEvent[];
  assert.equal(t.length, b.length, 'same number of events');
  // Same-microsecond events may be listed in either CPU order; compare in a stable canonical order.
  const order = (a: TraceEvent, c: TraceEvent) =>
    Number(usecs(a.timestampNs) - usecs(c.timestampNs)) || a.cpu - c.cpu;
  const ts = [...t].sort(order);
  const bs = [...b].sort(order);
  for (let i = 0; i < ts.length; i++) {
    const x = ts[i]!;
    const y = bs[i]!;
    const where = `event ${i}: text ${show(x)}\n binary ${show(y)}`;
    assert.equal(x.event, y.event, where);
    assert.equal(x.group, y.group, where);
    assert.equal(x.cpu, y.cpu, where);
    assert.equal(x.pid, y.pid, where);
    assert.equal(x.comm, y.comm, where);
    assert.equal(x.tgid, y.tgid, where);
    assert.equal(x.timestampNs, usecs(y.timestampNs) * 1000n, where);
    assert.equal(x.ip, y.ip, where);
    assert.equal(x.func, y.func, where);
    assert.equal(x.retIp, y.retIp, where);
    const keys = Object.keys(y.fields).filter((k) => !(TEXT_OMITS.has(k) && !(k in x.fields)));
    assert.deepEqual(Object.keys(x.fields), keys, where);
    for (const k of keys) {
      assert.ok(
        sameValue(x.fields[k] as FieldValue, y.fields[k] as FieldValue),
        `${where}\n field ${k}`,
      );
    }
  }
  return ts.length;
}
