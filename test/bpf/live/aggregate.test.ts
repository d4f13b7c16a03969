/**
 * In-kernel aggregation on this kernel: the generators pass the verifier, and
 * the public API (countCalls, latencyHistogram, valueCounts, valueHistogram)
 * counts exactly what processes started here do, then releases everything.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hostArch } from '../../../src/arch/index.js';
import { bytes, u32, u64 } from '../../../src/bpf/codec.js';
import { ptRegsArgFor, tracepointField } from '../../../src/bpf/gen/context.js';
import { keyedProgram, keyLayout, STAT_SLOTS } from '../../../src/bpf/gen/keyed.js';
import { STAMP_KEY_SIZE, stampProgram } from '../../../src/bpf/gen/latency.js';
import { slotCountProgram } from '../../../src/bpf/gen/slot.js';
import { createMap } from '../../../src/bpf/map.js';
import { Owner } from '../../../src/bpf/owner.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import {
  countCalls,
  latencyHistogram,
  UnsupportedError,
  valueCounts,
  valueHistogram,
  whyNoBpf,
} from '../../../src/index.js';
import {
  bpftoolSkipReason,
  buildC,
  checkNoLeaksAtEnd,
  GETPPID_C,
  gccSkipReason,
  heldBpfIds,
  heldIds,
  kernelObjects,
  liveSkipReason,
  startGated,
  UPROBE_C,
  waitGone,
} from './helpers.js';

const skip = liveSkipReason() ?? gccSkipReason() ?? bpftoolSkipReason();
checkNoLeaksAtEnd(skip);

test('every generator passes the verifier, for tracepoints and kprobe-type programs', (t) => {
  if (skip) return t.skip(skip);
  using owner = new Owner();
  const keyParts = [
    { kind: 'const', value: 3 },
    { kind: 'tgid' },
    { kind: 'comm' },
    { kind: 'operand', operand: { kind: 'tid' } },
    { kind: 'operand', operand: { kind: 'cpu' } },
    { kind: 'log2' },
  ] as const;
  const map = owner.add(
    createMap({
      type: 'hash',
      name: 'vkeyed',
      key: bytes(keyLayout(keyParts).size),
      value: bytes(16),
      maxEntries: 16,
    }),
  );
  const stamps = owner.add(
    createMap({
      type: 'hash',
      name: 'vstamps',
      key: bytes(STAMP_KEY_SIZE),
      value: u64,
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
  const slots = owner.add(
    createMap({ type: 'percpu_array', name: 'vslots', key: u32, value: u64, maxEntries: 4 }),
  );
  const id = tracepointField('raw_syscalls', 'sys_exit', 'id');
  const ret = tracepointField('raw_syscalls', 'sys_exit', 'ret');
  const arg0 = ptRegsArgFor(hostArch(), 0, 'user');
  const exclude = Array.from({ length: 64 }, (_, i) => 1_000_000 + i);
  const programs = [
    {
      type: 'tracepoint' as const,
      insns: keyedProgram({
        mapFd: map.fd,
        key: keyParts,
        measure: { kind: 'elapsed', stampsFd: stamps.fd, index: 1, requireStamp: false },
        sum: true,
        divisor: 1000,
        cond: {
          kind: 'or',
          left: { kind: 'cmp', operand: { kind: 'ctx', scalar: ret }, op: '<', value: 0n },
          right: {
            kind: 'and',
            left: { kind: 'cmp', operand: { kind: 'ctx', scalar: id }, op: '==', value: 1n << 40n },
            right: {
              kind: 'not',
              operand: { kind: 'cmp', operand: { kind: 'tgid' }, op: '&', value: 1n },
            },
          },
        },
        statsFd: stats.fd,
        exclude,
      }),
    },
    {
      type: 'kprobe' as const,
      insns: keyedProgram({
        mapFd: map.fd,
        key: keyParts,
        measure: {
          kind: 'operand',
          operand: { kind: 'ctx', scalar: { ...arg0, size: 4, signed: true } },
          clampNegative: true,
        },
        statsFd: stats.fd,
        tgid: 1,
      }),
    },
    {
      type: 'kprobe' as const,
      insns: keyedProgram({
        mapFd: map.fd,
        key: keyParts,
        measure: { kind: 'elapsed', stampsFd: stamps.fd, index: 0, requireStamp: true },
        statsFd: stats.fd,
      }),
    },
    { type: 'kprobe' as const, insns: stampProgram({ stampsFd: stamps.fd, index: 2, exclude }) },
    { type: 'tracepoint' as const, insns: stampProgram({ stampsFd: stamps.fd, index: 0 }) },
    { type: 'kprobe' as const, insns: slotCountProgram({ mapFd: slots.fd, slot: 3, tgid: 7 }) },
    { type: 'tracepoint' as const, insns: slotCountProgram({ mapFd: slots.fd, slot: 0 }) },
  ];
  for (const [i, p] of programs.entries()) {
    const prog = owner.add(loadProgram({ type: p.type, name: `verify${i}`, insns: p.insns }));
    assert.ok(prog.fd > 0);
  }
});

test('countCalls: exact counts per probe (tracepoint and uprobe), per process, and reset', async (t) => {
  if (skip) return t.skip(skip);
  const getppid = buildC('getppid', GETPPID_C);
  const exe = buildC('uprobe_target', UPROBE_C);
  const a = startGated(getppid, [20_000]);
  const byProbe = await countCalls(
    ['t:syscalls:sys_enter_getppid', 't:syscalls:sys_enter_getpid'],
    {
      pid: a.pid,
    },
  );
  const byProcess = await countCalls([`u:${exe}:work`], { by: 'process' });
  const ids = heldIds();
  try {
    assert.equal(byProbe.backend, 'bpf');
    assert.equal(byProbe.programs, 2);
    assert.match(byProbe.attached[0] ?? '', /^tracepoint syscalls:sys_enter_getppid$/);
    assert.ok(
      kernelObjects().progs.some((p) => ids.progs.includes(p.id) && p.name.startsWith('probekit_')),
    );
    a.go();
    assert.equal(await a.done, 0);
    const b = startGated(exe, [1234]);
    b.go();
    assert.equal(await b.done, 0);
    assert.deepEqual(byProbe.read({ reset: true }), [
      { index: 0, probe: 't:syscalls:sys_enter_getppid', tgid: null, comm: null, count: 20_000 },
    ]);
    assert.deepEqual(byProbe.read(), [], 'reset: the next interval starts at zero');
    assert.deepEqual(byProcess.read({ reset: true }), [
      { index: 0, probe: `u:${exe}:work`, tgid: b.pid, comm: 'uprobe_target', count: 1234 },
    ]);
    assert.deepEqual(byProcess.read(), [], 'reset: the keys were taken');
    const c = startGated(exe, [10]);
    c.go();
    assert.equal(await c.done, 0);
    assert.deepEqual(
      byProcess.read().map((r) => [r.tgid, r.count]),
      [[c.pid, 10]],
    );
    assert.equal(byProbe.dropped(), 0);
  } finally {
    byProbe.close();
    byProcess.close();
  }
  assert.deepEqual(await waitGone(ids), [], 'programs, maps and links are gone after close()');
});

test('latencyHistogram: every call timed, per process, in the tools buckets', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const load = startGated(exe, [3000]);
  const lat = await latencyHistogram([{ entry: `u:${exe}:work`, exit: `ur:${exe}:work` }], {
    pid: load.pid,
    perProcess: true,
  });
  try {
    assert.equal(lat.programs, 2);
    load.go();
    assert.equal(await load.done, 0);
    const rows = lat.read();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]?.call, 0);
    assert.equal(rows[0]?.tgid, load.pid);
    assert.equal(rows[0]?.comm, 'uprobe_target');
    assert.equal(rows[0]?.hist.total, 3000);
    // A uprobe round trip takes well over 2 ns and under 1 s.
    const used = rows[0]!.hist.buckets.flatMap((n, i) => (n > 0 ? [i] : []));
    assert.ok(
      used.every((i) => i >= 1 && i < 30),
      `buckets ${used}`,
    );
    assert.deepEqual(lat.stats(), { paired: 3000, unmatchedReturns: 0 });
    assert.equal(lat.read({ reset: true })[0]?.hist.total, 3000);
    assert.deepEqual(lat.read(), []);
    assert.equal(lat.stats().paired, 3000, 'paired counts what was taken too');
  } finally {
    lat.close();
  }
});

test('valueCounts and valueHistogram: argument values, a numeric filter, syscall time', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const getppid = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [1000]);
  const counts = await valueCounts(`u:${exe}:work(x:s64) if x >= 10 && x < 20`, { pid: load.pid });
  const hist = await valueHistogram(`u:${exe}:work(x:s64)`, { pid: load.pid });
  const sys = startGated(getppid, [500]);
  const timed = await valueCounts('t:raw_syscalls:sys_exit(id, ret)', {
    pid: sys.pid,
    values: ['id'],
    timeFrom: 't:raw_syscalls:sys_enter',
  });
  try {
    assert.deepEqual(counts.names, ['x']);
    assert.equal(hist.field, 'x');
    load.go();
    sys.go();
    assert.equal(await load.done, 0);
    assert.equal(await sys.done, 0);
    const rows = counts.read().sort((a, b) => Number(a.values['x']) - Number(b.values['x']));
    assert.deepEqual(
      rows.map((r) => [r.values['x'], r.count]),
      Array.from({ length: 10 }, (_, i) => [BigInt(10 + i), 1]),
    );
    // work(i) for i in 0..999 in the tools' buckets: 0 and 1 in bucket 0, [2^i, 2^(i+1)) in i.
    const h = hist.read();
    assert.equal(h.total, 1000);
    assert.deepEqual(h.buckets, [2, 2, 4, 8, 16, 32, 64, 128, 256, 488]);
    const getppidNr = process.arch === 'x64' ? 110n : process.arch === 'arm64' ? 173n : null;
    const row = timed.read().find((r) => r.values['id'] === getppidNr);
    if (getppidNr !== null) {
      assert.ok(row, 'getppid counted');
      assert.equal(row.count, 500);
      assert.ok(row.totalNs > 0n && row.totalNs < 10_000_000_000n, `${row.totalNs} ns`);
    }
  } finally {
    counts.close();
    hist.close();
    timed.close();
  }
});

test('what the kernel side cannot aggregate is refused before anything is loaded', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const held = heldBpfIds();
  await assert.rejects(
    valueCounts(`u:${exe}:work(s=+0(%di):string)`),
    (e) => e instanceof UnsupportedError && e.feature.startsWith('bpf'),
  );
  await assert.rejects(
    valueCounts(`u:${exe}:work(x:s64) if comm == "uprobe_target"`),
    (e) => e instanceof UnsupportedError && /text/.test(e.message),
  );
  assert.deepEqual(heldBpfIds(), held);
  assert.equal(whyNoBpf(), null);
});
