/**
 * Count, sum, min, max and linear histograms computed in the kernel: the
 * generators pass this kernel's verifier, and valueStats and valueHistogram
 * ({ linear }) give exact results for a uprobe on a C function called with
 * known values (two processes at once race on the same min and max), then
 * release everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderLinear } from '../../../src/analysis/linear.js';
import { hostArch } from '../../../src/arch/index.js';
import { bytes, u32, u64 } from '../../../src/bpf/codec.js';
import { ptRegsArgFor, tracepointField } from '../../../src/bpf/gen/context.js';
import {
  type KeyPart,
  keyedProgram,
  keyedValueSize,
  keyLayout,
  STAT_SLOTS,
} from '../../../src/bpf/gen/keyed.js';
import { createMap } from '../../../src/bpf/map.js';
import { Owner } from '../../../src/bpf/owner.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import { UsageError, valueHistogram, valueStats } from '../../../src/index.js';
import {
  bpftoolSkipReason,
  buildC,
  checkNoLeaksAtEnd,
  gccSkipReason,
  heldBpfIds,
  heldIds,
  liveSkipReason,
  startGated,
  waitGone,
} from './helpers.js';

const skip = liveSkipReason() ?? gccSkipReason() ?? bpftoolSkipReason();
checkNoLeaksAtEnd(skip);

/** Calls record(i, kind(i)) for i in [argv[1], argv[2]] after one byte on stdin; kind is -1, 0 or 1. */
const RECORD_C = `
#include <stdlib.h>
#include <unistd.h>
volatile long sink;
__attribute__((noipa)) long record(long x, int kind) {
  sink += x + kind;
  __asm__ volatile("" ::: "memory");
  return x;
}
int main(int argc, char **argv) {
  long from = atol(argv[1]), to = atol(argv[2]);
  char c;
  if (read(0, &c, 1) != 1) return 2;
  for (long i = from; i <= to; i++) record(i, (int)(((i % 3) + 3) % 3) - 1);
  return 0;
}
`;
const kindOf = (i: number) => (((i % 3) + 3) % 3) - 1;

const start = (exe: string, from: number, to: number) => startGated(exe, [from, to]);

async function runAll(...loads: ReturnType<typeof start>[]): Promise<void> {
  for (const l of loads) l.go();
  assert.deepEqual(
    await Promise.all(loads.map((l) => l.done)),
    loads.map(() => 0),
  );
}

test('stats values and linear key parts pass the verifier', (t) => {
  if (skip) return t.skip(skip);
  using owner = new Owner();
  const linear64: KeyPart = {
    kind: 'linear',
    min: -(1n << 40n),
    max: 1n << 40n,
    step: 1n << 36n,
  };
  const key: KeyPart[] = [{ kind: 'tgid' }, { kind: 'linear', min: 0n, max: 100n, step: 10n }];
  const map = (name: string, parts: KeyPart[]) =>
    owner.add(
      createMap({
        type: 'hash',
        name,
        key: bytes(keyLayout(parts).size),
        value: bytes(keyedValueSize('stats')),
        maxEntries: 16,
      }),
    );
  const stats = owner.add(
    createMap({
      type: 'percpu_array',
      name: 'vstats',
      key: u32,
      value: u64,
      maxEntries: STAT_SLOTS,
    }),
  );
  const ret = tracepointField('raw_syscalls', 'sys_exit', 'ret');
  const arg0 = ptRegsArgFor(hostArch(), 0, 'user');
  const a = map('vstatsa', key);
  const b = map('vstatsb', [linear64]);
  const programs = [
    {
      type: 'tracepoint' as const,
      insns: keyedProgram({
        mapFd: a.fd,
        key,
        measure: { kind: 'operand', operand: { kind: 'ctx', scalar: ret } },
        stats: true,
        statsFd: stats.fd,
      }),
    },
    {
      type: 'kprobe' as const,
      insns: keyedProgram({
        mapFd: b.fd,
        key: [linear64],
        measure: {
          kind: 'operand',
          operand: { kind: 'ctx', scalar: { ...arg0, size: 4, signed: true } },
        },
        stats: true,
        statsFd: stats.fd,
        tgid: 1,
      }),
    },
    {
      type: 'kprobe' as const,
      insns: keyedProgram({
        mapFd: a.fd,
        key,
        measure: { kind: 'operand', operand: { kind: 'ctx', scalar: { ...arg0, signed: false } } },
        stats: true,
      }),
    },
  ];
  for (const [i, p] of programs.entries()) {
    const prog = owner.add(loadProgram({ type: p.type, name: `vstats${i}`, insns: p.insns }));
    assert.ok(prog.fd > 0);
  }
});

test('valueStats: exact count, sum, min and max, with two processes racing', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('record_stats', RECORD_C);
  const all = await valueStats(`u:${exe}:record(x:s64, kind:s32)`);
  const ids = heldIds();
  try {
    assert.equal(all.backend, 'bpf');
    assert.equal(all.measure, 'x');
    assert.deepEqual(all.names, []);
    await runAll(start(exe, 1, 100));
    assert.deepEqual(all.read({ reset: true }), [
      { values: {}, tgid: null, comm: null, count: 100, sum: 5050n, min: 1n, max: 100n },
    ]);
    assert.deepEqual(all.read(), [], 'reset: the next interval starts empty');
    // Both processes update the same key at once, on the two CPUs.
    await runAll(start(exe, 1, 50_000), start(exe, -30_000, 30_000));
    assert.deepEqual(all.read(), [
      {
        values: {},
        tgid: null,
        comm: null,
        count: 110_001,
        sum: 1_250_025_000n,
        min: -30_000n,
        max: 50_000n,
      },
    ]);
    assert.equal(all.dropped(), 0);
  } finally {
    all.close();
  }
  assert.deepEqual(await waitGone(ids), [], 'programs, maps and links are gone after close()');
});

test('valueStats: by a signed 32-bit argument and process, under a filter', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('record_stats', RECORD_C);
  const load = start(exe, -20, 100);
  const byKind = await valueStats(`u:${exe}:record(x:s64, kind:s32) if x >= 10 || x < -15`, {
    values: ['kind'],
    measure: 'x',
    withProcess: true,
    pid: load.pid,
  });
  const ids = heldIds();
  try {
    await runAll(load);
    const expected = new Map<number, { count: number; sum: bigint; min: bigint; max: bigint }>();
    for (let i = -20; i <= 100; i++) {
      if (!(i >= 10 || i < -15)) continue;
      const e = expected.get(kindOf(i)) ?? { count: 0, sum: 0n, min: BigInt(i), max: BigInt(i) };
      const x = BigInt(i);
      expected.set(kindOf(i), {
        count: e.count + 1,
        sum: e.sum + x,
        min: x < e.min ? x : e.min,
        max: x > e.max ? x : e.max,
      });
    }
    const rows = byKind.read().sort((a, b) => Number(a.values['kind']) - Number(b.values['kind']));
    assert.deepEqual(
      rows,
      [-1, 0, 1].map((kind) => ({
        values: { kind },
        tgid: load.pid,
        comm: 'record_stats',
        ...expected.get(kind),
      })),
    );
  } finally {
    byKind.close();
  }
  assert.deepEqual(await waitGone(ids), []);
});

test('valueHistogram { linear }: exact buckets, below and above, as bpftrace prints them', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('record_stats', RECORD_C);
  const load = start(exe, -5, 104);
  const hist = await valueHistogram(`u:${exe}:record(x:s64, kind:s32)`, {
    linear: { min: 0, max: 100, step: 10 },
    pid: load.pid,
  });
  const kinds = await valueHistogram(`u:${exe}:record(x:s64, kind:s32)`, {
    field: 'kind',
    linear: { min: -1n, max: 1n, step: 1n },
    pid: load.pid,
  });
  const ids = heldIds();
  try {
    assert.equal(hist.field, 'x');
    assert.equal(kinds.field, 'kind');
    await runAll(load);
    const h = hist.read({ reset: true });
    assert.deepEqual(
      { below: h.below, buckets: h.buckets, above: h.above, total: h.total },
      { below: 5, buckets: new Array(10).fill(10), above: 5, total: 110 },
    );
    assert.equal(
      renderLinear(h).split('\n')[0],
      '(..., 0)               5 |@@@@@@@@@@@@@@@@@@@@@@@@@@                          |',
    );
    assert.equal(hist.read().total, 0, 'reset: the buckets were taken');
    // kind = -1, 0, 1 for x = -5..104: -1 and 0 are buckets, 1 is at max.
    const k = kinds.read();
    const count = (kind: number) =>
      Array.from({ length: 110 }, (_, i) => i - 5).filter((i) => kindOf(i) === kind).length;
    assert.deepEqual([k.below, ...k.buckets, k.above], [0, count(-1), count(0), count(1)]);
  } finally {
    hist.close();
    kinds.close();
  }
  assert.deepEqual(await waitGone(ids), []);
});

test('bad linear bounds and unknown arguments are refused before anything is loaded', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('record_stats', RECORD_C);
  const held = heldBpfIds();
  const probe = `u:${exe}:record(x:s64, kind:s32)`;
  await assert.rejects(
    valueHistogram(probe, { linear: { min: 10, max: 10, step: 1 } }),
    (e) => e instanceof UsageError && /min < max/.test(e.message),
  );
  await assert.rejects(
    valueHistogram(probe, { linear: { min: 0, max: 1_000_000, step: 1 } }),
    (e) => e instanceof UsageError && /too many/.test(e.message),
  );
  await assert.rejects(
    valueHistogram(`u:${exe}:record(x:u64)`, { linear: { min: -1, max: 10, step: 1 } }),
    (e) => e instanceof UsageError && /unsigned/.test(e.message),
  );
  await assert.rejects(
    valueStats(probe, { measure: 'y' }),
    (e) =>
      e instanceof UsageError && /no argument 'y'/.test(e.message) && /x, kind/.test(e.hint ?? ''),
  );
  assert.deepEqual(heldBpfIds(), held);
});
