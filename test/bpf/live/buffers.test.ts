import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { attach } from '../../../src/bpf/attach.js';
import { hasFeature } from '../../../src/bpf/features.js';
import { decodeRecord, perfRecordProgram } from '../../../src/bpf/gen/record.js';
import { startRecordStream } from '../../../src/bpf/gen/run.js';
import { createPerfBuffer } from '../../../src/bpf/perfbuf.js';
import { loadProgram } from '../../../src/bpf/prog.js';
import {
  buildC,
  checkNoLeaksAtEnd,
  GETPPID_BATCH_C,
  gccSkipReason,
  liveSkipReason,
} from './helpers.js';

const skip = liveSkipReason() ?? gccSkipReason();
checkNoLeaksAtEnd(skip);

const SYS_NR = { offset: 8, size: 4 as const, signed: true, name: '__syscall_nr' };

test('every event reaches user space through the ring buffer, wrapping many times, none lost', async (t) => {
  if (skip) return t.skip(skip);
  if (!hasFeature('ringbuf')) return t.skip('needs the BPF ring buffer (Linux 5.8+)');
  // 200 batches of 1,000 records of 40 bytes through a 64 KiB ring: it wraps about 120 times.
  const BATCH = 1000;
  const ROUNDS = 200;
  const exe = buildC('getppid_batch', GETPPID_BATCH_C);
  const child = spawn(exe, [String(BATCH)], { stdio: ['pipe', 'pipe', 'inherit'] });
  const pid = child.pid as number;
  const stream = startRecordStream({
    target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    values: [SYS_NR],
    tgid: pid,
    size: 1 << 16,
  });
  let count = 0;
  let bad = 0;
  let lastTs = 0n;
  let ordered = true;
  const take = () =>
    stream.poll((r) => {
      count++;
      if (r.tgid !== pid || r.pid !== pid || r.comm !== 'getppid_batch') bad++;
      if (r.timestampNs < lastTs) ordered = false;
      lastTs = r.timestampNs;
      if (process.arch === 'x64' && r.values[0] !== 110n) bad++;
    });
  const acks = child.stdout[Symbol.asyncIterator]();
  try {
    let acked = 0;
    for (let i = 0; i < ROUNDS; i++) {
      child.stdin.write('g');
      while (acked <= i) {
        const { value } = await acks.next();
        acked += (value as Buffer).length;
      }
      take();
    }
    child.stdin.end();
    take();
    assert.equal(stream.drops(), 0n, 'the program dropped no record');
    assert.equal(count, BATCH * ROUNDS);
    assert.equal(bad, 0, 'every record carries the generator pid, comm and syscall number');
    assert.ok(ordered, 'timestamps never go backwards');
    assert.equal(stream.ring.pending(), 0n);
  } finally {
    stream.close();
    child.kill();
  }
});

/** A batch generator driven from the test: run(cmd) sends one command byte and waits for its ack. */
function batchGenerator(exe: string, batch: number, cpu?: number) {
  const args = cpu === undefined ? [String(batch)] : [String(batch), String(cpu)];
  const child = spawn(exe, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const acks = child.stdout[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  return {
    pid: child.pid as number,
    async run(cmd: 'g' | '1') {
      child.stdin.write(cmd);
      while (pending.length === 0) pending = (await acks.next()).value as Buffer;
      pending = pending.subarray(1);
    },
    stop: () => child.kill(),
  };
}

test('records through per-CPU perf buffers: all samples arrive when the reader keeps up', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid_batch', GETPPID_BATCH_C);
  const gen = batchGenerator(exe, 100);
  using pb = createPerfBuffer('perf', 8);
  using prog = loadProgram({
    type: 'tracepoint',
    name: 'perfout',
    insns: perfRecordProgram({ perfMapFd: pb.mapFd, values: [SYS_NR], tgid: gen.pid }),
  });
  using _a = attach(prog, { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' });
  let samples = 0;
  let lost = 0;
  let wrong = 0;
  const take = () =>
    pb.poll((item) => {
      if (item.type === 'lost') {
        lost += item.count;
        return;
      }
      if (item.type !== 'sample') {
        wrong++;
        return;
      }
      samples++;
      const r = decodeRecord(item.data, 1);
      if (r.tgid !== gen.pid || r.comm !== 'getppid_batch') wrong++;
    });
  try {
    for (let i = 0; i < 300; i++) {
      await gen.run('g');
      take();
    }
  } finally {
    gen.stop();
  }
  assert.equal(wrong, 0);
  assert.equal(lost, 0);
  assert.equal(samples, 30_000);
});

test('a perf buffer that overflows reports its losses as lost items', async (t) => {
  if (skip) return t.skip(skip);
  const exe = buildC('getppid_batch', GETPPID_BATCH_C);
  // Pinned to one CPU so the overflow and the record that reports it share a ring.
  const gen = batchGenerator(exe, 5000, 0);
  using pb = createPerfBuffer('perflost', 1);
  using prog = loadProgram({
    type: 'tracepoint',
    name: 'perflost',
    insns: perfRecordProgram({ perfMapFd: pb.mapFd, values: [SYS_NR], tgid: gen.pid }),
  });
  using _a = attach(prog, { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' });
  let samples = 0;
  const lost: { cpu: number; count: number; source: string }[] = [];
  const take = () =>
    pb.poll((item) => {
      if (item.type === 'lost')
        lost.push({ cpu: item.cpu, count: item.count, source: item.source });
      else samples++;
    });
  try {
    await gen.run('g'); // 5000 records into one page: most are lost
    take();
    await gen.run('1'); // the next record carries the loss report
    take();
  } finally {
    gen.stop();
  }
  const lostTotal = lost.reduce((a, l) => a + l.count, 0);
  assert.ok(lostTotal > 0, 'losses were reported');
  assert.ok(lost.every((l) => l.cpu === 0 && l.source === 'bpf'));
  assert.equal(samples + lostTotal, 5001);
});

test('wait() sleeps until the kernel signals data, and times out when there is none', async (t) => {
  if (skip) return t.skip(skip);
  if (!hasFeature('ringbuf')) return t.skip('needs the BPF ring buffer (Linux 5.8+)');
  const exe = buildC('getppid_batch', GETPPID_BATCH_C);
  const gen = batchGenerator(exe, 10);
  const stream = startRecordStream({
    target: { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' },
    values: [],
    tgid: gen.pid,
    size: 1 << 16,
  });
  using pb = createPerfBuffer('waitperf', 1);
  using prog = loadProgram({
    type: 'tracepoint',
    name: 'waitperf',
    insns: perfRecordProgram({ perfMapFd: pb.mapFd, values: [], tgid: gen.pid }),
  });
  using _a = attach(prog, { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' });
  try {
    const t0 = performance.now();
    assert.equal(await stream.wait(100), false, 'nothing yet');
    assert.ok(performance.now() - t0 >= 90, 'the wait lasted its timeout');
    assert.equal(await pb.wait(50), false);
    const woke = stream.wait(1000);
    const wokePerf = pb.wait(1000);
    await gen.run('1');
    assert.equal(await woke, true);
    assert.equal(await wokePerf, true);
    let n = 0;
    stream.poll(() => n++);
    assert.equal(n, 1);
    let m = 0;
    pb.poll((i) => {
      if (i.type === 'sample') m++;
    });
    assert.equal(m, 1);
  } finally {
    stream.close();
    gen.stop();
  }
});
