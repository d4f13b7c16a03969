import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { attach } from '../../../src/bpf/attach.js';
import { hasFeature } from '../../../src/bpf/features.js';
import { startCounter } from '../../../src/bpf/gen/run.js';
import { exit, mov64 } from '../../../src/bpf/insn/builder.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import { UnsupportedError, UsageError } from '../../../src/errors.js';
import {
  bpftoolSkipReason,
  buildC,
  GETPPID_C,
  gccSkipReason,
  heldBpfIds,
  kprobeList,
  kprobesOn,
  leakedFds,
  liveSkipReason,
  openFds,
  probekitKprobeEvents,
  probekitObjectsAnywhere,
  settle,
  waitGone,
} from './helpers.js';

const skip = liveSkipReason();
const hasKprobePmu = existsSync('/sys/bus/event_source/devices/kprobe/type');
/** Inside the QEMU lane (scripts/vm): its kernels have kprobes, so nothing here may skip. */
const inVm = process.env.PROBEKIT_VM_KERNEL !== undefined;
const SYMBOL = '__x64_sys_getppid';
const CALLS = 10_000;

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

test('exact count of getppid through a kprobe and a kretprobe on the syscall function; nothing left after', async (t) => {
  if (skip) return inVm ? assert.fail(`in the QEMU lane: ${skip}`) : t.skip(skip);
  if (!hasKprobePmu) {
    if (inVm) assert.fail('the QEMU lane kernel has no kprobe PMU');
    return t.skip('needs a kernel with kprobes (the kprobe PMU); runs in the QEMU lane');
  }
  if (process.arch !== 'x64') return t.skip(`needs x86_64 (${SYMBOL})`);
  const missing = gccSkipReason() ?? bpftoolSkipReason();
  if (missing) return inVm ? assert.fail(`in the QEMU lane: ${missing}`) : t.skip(missing);
  const listed = kprobesOn(SYMBOL);
  if (listed === null && inVm)
    assert.fail('no /sys/kernel/debug/kprobes/list (debugfs) in the guest');
  assert.deepEqual(listed ?? [], [], `no kprobe on ${SYMBOL} before the test`);
  const exe = buildC('getppid', GETPPID_C);
  const fdsBefore = openFds();
  const child = spawn(exe, [String(CALLS)], { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise((r) => child.on('exit', r));
  const pid = child.pid as number;
  const entry = startCounter({
    target: { kind: 'kprobe', symbol: SYMBOL },
    key: { by: 'pid' },
    tgid: pid,
  });
  const ret = startCounter({
    target: { kind: 'kretprobe', symbol: SYMBOL },
    key: { by: 'pid' },
    tgid: pid,
  });
  const ids = { progs: [] as number[], maps: [] as number[], links: [] as number[] };
  try {
    for (const c of [entry, ret]) {
      assert.equal(c.attachment.method, hasFeature('perf_link') ? 'link' : 'ioctl');
      ids.progs.push(c.program.id());
      ids.maps.push(c.map.id());
      const link = c.attachment.linkId();
      if (link !== undefined) ids.links.push(link);
    }
    // Both probes are registered in the kernel: an entry (k) and a return (r) probe.
    const during = kprobesOn(SYMBOL);
    if (during !== null) {
      assert.equal(during.length, 2, `kprobes/list:\n${kprobeList()?.join('\n')}`);
      assert.ok(during.some((l) => /\sk\s/.test(l)) && during.some((l) => /\sr\s/.test(l)));
    }
    child.stdin.end('g');
    assert.equal(await done, 0);
    // One key, the child's pid, with exactly its calls: nothing else passed the tgid filter.
    assert.deepEqual([...entry.counts()], [[pid, BigInt(CALLS)]]);
    assert.deepEqual([...ret.counts()], [[pid, BigInt(CALLS)]]);
  } finally {
    // The child waits on stdin: a failure above must not leave it (and this file) running.
    if (child.exitCode === null) child.kill('SIGKILL');
    entry.close();
    ret.close();
  }
  assert.deepEqual(leakedFds(fdsBefore), [], 'no bpf or perf fd left open');
  assert.deepEqual(heldBpfIds(), [], 'no BPF object held by this process');
  assert.deepEqual(await waitGone(ids), [], 'programs, maps and links are gone');
  assert.deepEqual(await settle(() => kprobesOn(SYMBOL) ?? []), [], `no kprobe left on ${SYMBOL}`);
  assert.deepEqual(probekitKprobeEvents(), [], 'no probekit line in kprobe_events');
  // In the guest nothing else runs: no probekit object and no kprobe at all may remain.
  if (inVm) {
    assert.deepEqual(await settle(probekitObjectsAnywhere), [], 'no probekit_ object left');
    assert.deepEqual(kprobeList(), [], 'no kprobe left in the guest');
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
