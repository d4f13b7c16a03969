import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attach } from '../../../src/bpf/attach.js';
import { u32, u64 } from '../../../src/bpf/codec.js';
import { ptRegsArg } from '../../../src/bpf/gen/context.js';
import { countProgram } from '../../../src/bpf/gen/count.js';
import { startCounter, startLog2Hist } from '../../../src/bpf/gen/run.js';
import { createMap } from '../../../src/bpf/map.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import {
  bpftoolSkipReason,
  buildC,
  checkNoLeaksAtEnd,
  GETPPID_C,
  gccSkipReason,
  liveSkipReason,
  startGated,
  symbolFileOffset,
  UPROBE_C,
  waitGone,
} from './helpers.js';

const skip = liveSkipReason() ?? gccSkipReason() ?? bpftoolSkipReason();
checkNoLeaksAtEnd(skip);

function idsOf(r: {
  program: { id(): number };
  attachment: { linkId(): number | undefined };
  map: { id(): number };
}) {
  const link = r.attachment.linkId();
  return { progs: [r.program.id()], maps: [r.map.id()], links: link === undefined ? [] : [link] };
}

test('exact in-kernel count of 1,000,000 getppid calls (tracepoint, filtered by pid)', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [1_000_000]);
  const counter = startCounter({
    target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    key: { by: 'pid' },
    tgid: load.pid,
  });
  const ids = idsOf(counter);
  try {
    load.go();
    assert.equal(await load.done, 0);
    assert.deepEqual([...counter.counts()], [[load.pid, 1_000_000n]]);
  } finally {
    counter.close();
  }
  assert.deepEqual(await waitGone(ids), [], 'program, map and link are gone');
});

test('attaching with PERF_EVENT_IOC_SET_BPF (kernels without perf links) counts exactly too', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [50_000]);
  using map = createMap({ type: 'hash', name: 'ioctl', key: u32, value: u64, maxEntries: 8 });
  using prog = loadProgram({
    type: 'tracepoint',
    name: 'ioctl',
    insns: countProgram({ mapFd: map.fd, key: { by: 'pid' } }), // every process: detach is checked below
  });
  const a = attach(
    prog,
    { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    { method: 'ioctl' },
  );
  try {
    assert.equal(a.method, 'ioctl');
    assert.equal(a.linkId(), undefined);
    load.go();
    assert.equal(await load.done, 0);
    assert.equal(map.lookup(load.pid), 50_000n);
  } finally {
    a.close();
  }
  // Detached: more calls are not counted.
  const again = startGated(exe, [10]);
  again.go();
  await again.done;
  assert.equal(map.lookup(again.pid), undefined);
});

test('count by comm and by a context value (raw tracepoint sys_enter, syscall id)', async (t) => {
  if (skip) return t.skip(skip);
  if (process.arch !== 'x64') return t.skip('needs x86_64 (getppid = 110)');
  const exe = buildC('getppid', GETPPID_C);
  const load = startGated(exe, [20_000]);
  const byComm = startCounter({
    target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    key: { by: 'comm' },
    tgid: load.pid,
  });
  const bySyscall = startCounter({
    target: { kind: 'raw_tracepoint', name: 'sys_enter' },
    key: { by: 'value', value: { offset: 8, size: 8, signed: false, name: 'id' } },
    tgid: load.pid,
  });
  try {
    load.go();
    assert.equal(await load.done, 0);
    assert.deepEqual([...byComm.counts()], [['getppid', 20_000n]]);
    assert.equal(bySyscall.counts().get(110n), 20_000n);
    assert.equal(bySyscall.attachment.method, 'raw_tracepoint');
  } finally {
    byComm.close();
    bySyscall.close();
  }
});

test('exact count of calls to a user function through a uprobe, and of its returns', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const offset = symbolFileOffset(exe, 'work');
  const load = startGated(exe, [12_345]);
  const entries = startCounter({
    target: { kind: 'uprobe', path: exe, offset },
    key: { by: 'pid' },
    tgid: load.pid,
  });
  const returns = startCounter({
    target: { kind: 'uretprobe', path: exe, offset },
    key: { by: 'pid' },
    tgid: load.pid,
  });
  const ids = [idsOf(entries), idsOf(returns)];
  try {
    load.go();
    assert.equal(await load.done, 0);
    assert.equal(entries.total(), 12_345n);
    assert.equal(returns.total(), 12_345n);
  } finally {
    entries.close();
    returns.close();
  }
  for (const i of ids) assert.deepEqual(await waitGone(i), []);
});

test('a uprobe opened for one process counts only that process', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const offset = symbolFileOffset(exe, 'work');
  const mine = startGated(exe, [3000]);
  const other = startGated(exe, [5000]);
  const counter = startCounter({
    target: { kind: 'uprobe', path: exe, offset, pid: mine.pid },
    key: { by: 'pid' },
  });
  try {
    assert.match(counter.program.dump(), /call bpf_map_lookup_elem#1/);
    mine.go();
    other.go();
    assert.equal(await mine.done, 0);
    assert.equal(await other.done, 0);
    assert.deepEqual([...counter.counts()], [[mine.pid, 3000n]]);
  } finally {
    counter.close();
  }
});

test('log2 histogram of a uprobe argument matches the values passed', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('uprobe_target', UPROBE_C);
  const offset = symbolFileOffset(exe, 'work');
  const load = startGated(exe, [1000]);
  const hist = startLog2Hist({
    target: { kind: 'uprobe', path: exe, offset },
    value: ptRegsArg(0),
    tgid: load.pid,
  });
  try {
    load.go();
    assert.equal(await load.done, 0);
    // work(i) for i in 0..999: bucket 0 holds 0, bucket k holds [2^(k-1), 2^k).
    const expected = [{ low: 0n, high: 1n, count: 1n }];
    for (let k = 1; k <= 9; k++)
      expected.push({
        low: 1n << BigInt(k - 1),
        high: 1n << BigInt(k),
        count: 1n << BigInt(k - 1),
      });
    expected.push({ low: 512n, high: 1024n, count: 488n });
    assert.deepEqual(hist.buckets(), expected);
  } finally {
    hist.close();
  }
});
