import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { attach } from '../../../src/bpf/attach.js';
import { startCounter } from '../../../src/bpf/gen/run.js';
import { exit, mov64 } from '../../../src/bpf/insn/builder.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import { UnsupportedError, UsageError } from '../../../src/errors.js';
import { buildC, GETPPID_C, gccSkipReason, liveSkipReason } from './helpers.js';

const skip = liveSkipReason();
const hasKprobePmu = existsSync('/sys/bus/event_source/devices/kprobe/type');

test('without a kprobe PMU, attaching a kprobe is an UnsupportedError naming it', (t) => {
  if (skip) return t.skip(skip);
  if (hasKprobePmu) return t.skip('this kernel has a kprobe PMU (tested by the next test)');
  using prog = loadProgram({ type: 'kprobe', name: 'nokp', insns: [mov64('r0', 0), exit()] });
  assert.throws(
    () => attach(prog, { kind: 'kprobe', symbol: 'do_sys_openat2' }),
    (e) =>
      e instanceof UnsupportedError &&
      e.feature === 'kprobe-pmu' &&
      /CONFIG_KPROBES/.test(e.hint ?? ''),
  );
});

test('exact count of getppid through a kprobe and a kretprobe on the syscall function', async (t) => {
  if (skip) return t.skip(skip);
  if (!hasKprobePmu)
    return t.skip('needs a kernel with kprobes (the kprobe PMU); runs in the QEMU lane');
  if (process.arch !== 'x64') return t.skip('needs x86_64 (__x64_sys_getppid)');
  const g = gccSkipReason();
  if (g) return t.skip(g);
  const exe = buildC('getppid', GETPPID_C);
  const child = spawn(exe, ['10000'], { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise((r) => child.on('exit', r));
  const entry = startCounter({
    target: { kind: 'kprobe', symbol: '__x64_sys_getppid' },
    key: { by: 'pid' },
    tgid: child.pid as number,
  });
  const ret = startCounter({
    target: { kind: 'kretprobe', symbol: '__x64_sys_getppid' },
    key: { by: 'pid' },
    tgid: child.pid as number,
  });
  try {
    child.stdin.end('g');
    assert.equal(await done, 0);
    assert.equal(entry.total(), 10_000n);
    assert.equal(ret.total(), 10_000n);
  } finally {
    entry.close();
    ret.close();
  }
});

test('a program of the wrong type for the target is refused before any syscall', (t) => {
  if (skip) return t.skip(skip);
  using prog = loadProgram({
    type: 'tracepoint',
    name: 'wrongtype',
    insns: [mov64('r0', 0), exit()],
  });
  assert.throws(
    () => attach(prog, { kind: 'uprobe', path: '/bin/true', offset: 0n }),
    (e) => e instanceof UsageError && e.code === 'E_BPF_ATTACH_TYPE',
  );
  assert.throws(
    () => attach(prog, { kind: 'tracepoint', group: 'syscalls', event: 'no_such_event' }),
    /no tracepoint syscalls:no_such_event/,
  );
});
