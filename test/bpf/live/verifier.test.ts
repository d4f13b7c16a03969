import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comm, u32, u64 } from '../../../src/bpf/codec.js';
import { FEATURES, type FeatureName, hasFeature } from '../../../src/bpf/features.js';
import { ptRegsArg } from '../../../src/bpf/gen/context.js';
import { countProgram } from '../../../src/bpf/gen/count.js';
import { histProgram } from '../../../src/bpf/gen/hist.js';
import { recordProgram } from '../../../src/bpf/gen/record.js';
import { startCounter, startLog2Hist } from '../../../src/bpf/gen/run.js';
import { exit, mov64 } from '../../../src/bpf/insn/builder.js';
import { createMap } from '../../../src/bpf/map.js';
import { loadProgram, VerifierError } from '../../../src/bpf/prog.js';
import { createRingBuffer } from '../../../src/bpf/ringbuf.js';
import { syscallError } from '../../../src/bpf/sys/errno.js';
import { checkNoLeaksAtEnd, heldBpfIds, liveSkipReason } from './helpers.js';

const skip = liveSkipReason();
checkNoLeaksAtEnd(skip);

test('the verifier accepts the generated programs for every key and context', (t) => {
  if (skip) return t.skip(skip);
  using hash = createMap({ type: 'hash', name: 'v_pid', key: u32, value: u64, maxEntries: 16 });
  using hashComm = createMap({
    type: 'hash',
    name: 'v_comm',
    key: comm,
    value: u64,
    maxEntries: 16,
  });
  using hashVal = createMap({
    type: 'lru_hash',
    name: 'v_val',
    key: u64,
    value: u64,
    maxEntries: 16,
  });
  using hist = createMap({
    type: 'percpu_array',
    name: 'v_hist',
    key: u32,
    value: u64,
    maxEntries: 65,
  });
  using ring = createRingBuffer('v_ring', 1 << 16);
  const di = ptRegsArg(0);
  const field = { offset: 8, size: 4 as const, signed: true, name: '__syscall_nr' };
  const progs = [
    {
      type: 'tracepoint' as const,
      insns: countProgram({ mapFd: hash.fd, key: { by: 'pid' }, tgid: 1 }),
    },
    {
      type: 'tracepoint' as const,
      insns: countProgram({ mapFd: hashComm.fd, key: { by: 'comm' } }),
    },
    {
      type: 'tracepoint' as const,
      insns: countProgram({ mapFd: hashVal.fd, key: { by: 'value', value: field } }),
    },
    {
      type: 'kprobe' as const,
      insns: countProgram({ mapFd: hashVal.fd, key: { by: 'value', value: di } }),
    },
    { type: 'kprobe' as const, insns: histProgram({ mapFd: hist.fd, value: di, tgid: 42 }) },
    { type: 'tracepoint' as const, insns: histProgram({ mapFd: hist.fd, value: field }) },
    {
      type: 'kprobe' as const,
      insns: recordProgram({ ringbufFd: ring.fd, values: [di, ptRegsArg(1)], dropsFd: hist.fd }),
    },
  ];
  for (const [i, p] of progs.entries()) {
    using prog = loadProgram({ type: p.type, name: `acc${i}`, insns: p.insns });
    assert.ok(prog.fd > 0);
    assert.equal(prog.kernelName(), `probekit_acc${i}`);
    assert.ok(prog.id() > 0);
  }
});

test('a program reading an uninitialised register is rejected with the verifier message', (t) => {
  if (skip) return t.skip(skip);
  const insns = [mov64('r0', 0), mov64('r0', 'r5'), exit()];
  let err: unknown;
  try {
    loadProgram({ type: 'tracepoint', name: 'bad', insns }).close();
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof VerifierError, `expected a VerifierError, got ${String(err)}`);
  assert.equal(err.code, 'E_BPF_VERIFIER');
  assert.match(err.message, /rejected program probekit_bad: .*R5 !read_ok/);
  assert.match(err.message, /at instruction 1: r0 = r5/);
  assert.match(err.log, /R5 !read_ok/);
  assert.equal(err.slot, 1);
  assert.ok(err.hint);
});

test('a too-small log buffer grows until the whole log fits', (t) => {
  if (skip) return t.skip(skip);
  using m = createMap({ type: 'hash', name: 'v_log', key: u32, value: u64, maxEntries: 4 });
  const insns = countProgram({ mapFd: m.fd, key: { by: 'pid' } });
  using prog = loadProgram(
    { type: 'tracepoint', name: 'logsize', insns },
    { logLevel: 2, logSize: 64 },
  );
  assert.ok(prog.verifierLog.length > 64, 'the log is longer than the first buffer');
  assert.match(prog.verifierLog, /processed \d+ insns/);
});

test('a map the kernel refuses gives a structured error naming what was passed', (t) => {
  if (skip) return t.skip(skip);
  assert.throws(
    () => createMap({ type: 'array', name: 'bad', key: u64, value: u64, maxEntries: 4 }),
    (e: unknown) =>
      e instanceof Error &&
      (e as { code?: string }).code === 'E_BPF_SYSCALL' &&
      /BPF_MAP_CREATE\): EINVAL \(passed map_type=2 key_size=8/.test(e.message),
  );
  const e = syscallError('bpf(BPF_PROG_LOAD)', 1);
  assert.match(e.hint ?? '', /CAP_BPF and CAP_PERFMON/);
});

test('a failed start releases what it had already created', (t) => {
  if (skip) return t.skip(skip);
  const before = heldBpfIds();
  assert.throws(
    () =>
      startCounter({
        target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_nonexistent' },
        key: { by: 'pid' },
      }),
    /no tracepoint syscalls:sys_enter_nonexistent/,
  );
  assert.throws(
    () =>
      startLog2Hist({
        target: { kind: 'uprobe', path: '/nonexistent/binary', offset: 0x1000n },
        value: ptRegsArg(0),
      }),
    (e: unknown) => (e as { code?: string }).code === 'E_BPF_SYSCALL',
  );
  assert.deepEqual(heldBpfIds(), before, 'the map and program were closed');
});

test('every feature in the probe table is present on a kernel this new', (t) => {
  if (skip) return t.skip(skip);
  for (const f of Object.keys(FEATURES) as FeatureName[]) assert.ok(hasFeature(f), `feature ${f}`);
});
