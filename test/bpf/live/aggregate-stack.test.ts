/**
 * Counting by kernel stack in the kernel: bpf_get_stackid into a stack trace
 * map passes the verifier for every program type probekit attaches, and
 * countCalls by 'stack' / 'process-stack' counts exactly what a process
 * started here does, under symbolized frames of the syscall entry path; then
 * everything (the stack map too) is released.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytes, u32, u64 } from '../../../src/bpf/codec.js';
import { hasFeature } from '../../../src/bpf/features.js';
import { keyedProgram, keyLayout, STAT_SLOTS } from '../../../src/bpf/gen/keyed.js';
import { createMap } from '../../../src/bpf/map.js';
import { Owner } from '../../../src/bpf/owner.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import { createStackMap, readStack } from '../../../src/bpf/stack.js';
import { countCalls, STACK_LOST } from '../../../src/index.js';
import { whyNoTracing } from '../../helpers/live.js';
import {
  bpftoolSkipReason,
  buildC,
  checkNoLeaksAtEnd,
  GETPPID_C,
  gccSkipReason,
  heldIds,
  kernelObjects,
  liveSkipReason,
  startGated,
  waitGone,
} from './helpers.js';

function stackSkipReason(): string | undefined {
  const why = liveSkipReason() ?? gccSkipReason() ?? bpftoolSkipReason();
  if (why) return why;
  if (!hasFeature('stack_trace'))
    return 'needs BPF stack trace maps (BPF_MAP_TYPE_STACK_TRACE, CONFIG_PERF_EVENTS)';
  return whyNoTracing(['syscalls']) ?? undefined;
}

const skip = stackSkipReason();
/** The syscall entry path as x86_64 and arm64 kernels name it. */
const ENTRY = /^(do_syscall_64|entry_SYSCALL|x64_sys_call|el0_svc|invoke_syscall)/;
const N = 5000;

checkNoLeaksAtEnd(skip);

test('a stack key part passes the verifier: kernel and user stacks, every program type', (t) => {
  if (skip) return t.skip(skip);
  using owner = new Owner();
  const stacks = owner.add(createStackMap('vstacks', 64));
  const key = [
    { kind: 'const', value: 1 },
    { kind: 'tgid' },
    { kind: 'stack', stackMapFd: stacks.fd },
    { kind: 'stack', stackMapFd: stacks.fd, user: true },
  ] as const;
  const map = owner.add(
    createMap({
      type: 'hash',
      name: 'vkeyedstk',
      key: bytes(keyLayout(key).size),
      value: bytes(8),
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
  for (const type of ['tracepoint', 'kprobe', 'raw_tracepoint'] as const) {
    const prog = owner.add(
      loadProgram({
        type,
        name: `vstack_${type}`.slice(0, 15),
        insns: keyedProgram({ mapFd: map.fd, key, statsFd: stats.fd }),
      }),
    );
    assert.ok(prog.fd > 0, type);
  }
  assert.equal(stacks.spec.value.size, 127 * 8, 'PERF_MAX_STACK_DEPTH frames');
  assert.equal(readStack(stacks, 0), undefined, 'an id not in the map');
  assert.equal(readStack(stacks, -17), undefined, 'a lost stack');
});

test('countCalls by stack: every getppid() counted once, under the syscall entry path', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [N]);
  const counter = await countCalls(['t:syscalls:sys_enter_getppid'], {
    pid: load.pid,
    by: 'stack',
  });
  const ids = heldIds();
  try {
    const types = kernelObjects().maps.filter((m) => ids.maps.includes(m.id));
    assert.ok(
      types.some((m) => (m as { type?: string }).type === 'stack_trace'),
      `a stack trace map among ${JSON.stringify(types)}`,
    );
    load.go();
    assert.equal(await load.done, 0);
    const rows = counter.read();
    const total = rows.reduce((n, r) => n + r.count, 0);
    assert.equal(total, N, `counts over ${rows.length} stacks`);
    for (const r of rows) {
      assert.equal(r.probe, 't:syscalls:sys_enter_getppid');
      assert.equal(r.tgid, null);
      assert.equal(typeof r.stackId, 'number');
      assert.ok(Array.isArray(r.stack) && r.stack.length > 0, `frames of stack ${r.stackId}`);
    }
    const found = rows.filter((r) => (r.stackId ?? -1) >= 0);
    assert.ok(
      found.some((r) => r.stack?.some((f) => ENTRY.test(f))),
      `a frame of the syscall entry path in ${JSON.stringify(rows.map((r) => r.stack))}`,
    );
    for (const r of found)
      for (const f of r.stack ?? []) assert.match(f, /^[\w.$]+\+0x[0-9a-f]+( \[\S+\])?$/, f);
    const lost = rows.filter((r) => (r.stackId ?? 0) < 0);
    assert.ok(lost.every((r) => r.stack?.[0] === STACK_LOST));
    t.diagnostic(`stacks: ${JSON.stringify(rows.map((r) => [r.count, r.stack]))}`);
    assert.equal(counter.dropped(), 0);
  } finally {
    counter.close();
  }
  assert.deepEqual(await waitGone(ids), [], 'programs, maps and links are gone after close()');
});

test('countCalls by process-stack: the process, its name and its stacks; reset takes the counts', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [N]);
  const counter = await countCalls(['t:syscalls:sys_enter_getppid'], {
    pid: load.pid,
    by: 'process-stack',
  });
  const ids = heldIds();
  try {
    load.go();
    assert.equal(await load.done, 0);
    const rows = counter.read({ reset: true });
    assert.equal(
      rows.reduce((n, r) => n + r.count, 0),
      N,
    );
    assert.ok(rows.every((r) => r.tgid === load.pid && r.comm === 'getppid'));
    assert.ok(rows.some((r) => r.stack?.some((f) => ENTRY.test(f))));
    assert.deepEqual(counter.read(), [], 'reset: the keys were taken');
  } finally {
    counter.close();
  }
  assert.deepEqual(await waitGone(ids), [], 'programs, maps and links are gone after close()');
});
