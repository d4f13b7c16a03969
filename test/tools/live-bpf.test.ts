/**
 * syscount, funccount, funclatency and argdist counting in the kernel
 * (--backend bpf) on this machine: exact counts of what processes started
 * here do, the same output as with tracefs, the backend named on stderr and
 * in the JSON summary, and no BPF object left behind (after the run, and
 * after kill -9 of the tool).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bpftoolSkipReason, liveSkipReason, waitGone } from '../bpf/live/helpers.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { buildC, whyNoTracing } from '../helpers/live.js';
import {
  type BpfIds,
  interrupt,
  leftoversOfPid,
  manyFunctionsProgram,
  readyBpfIds,
  reap,
  startProgram,
  startShTarget,
  startTool,
  TARGET_PROGRAM,
  type ToolRun,
} from './helpers.js';

const skipBpf = liveSkipReason() ?? bpftoolSkipReason() ?? null;
const skipSys = skipBpf ?? whyNoTracing(['tracepoints', 'syscalls', 'gcc']);
const skipU = skipBpf ?? whyNoTracing(['uprobes', 'gcc']);

/** Once the tool is ready: its BPF objects, with exactly `programs` programs. */
async function readyIds(run: ToolRun, programs: number): Promise<BpfIds> {
  const ids = await readyBpfIds(run);
  assert.equal(ids.progs.length, programs, `the tool holds ${programs} programs`);
  return ids;
}

function summaryOf(stdout: string): Record<string, unknown> {
  const s = jsonLines(stdout).at(-1)!;
  assert.equal(s['type'], 'summary');
  return s;
}

test('syscount --backend bpf -p -L: exactly N getppid syscalls, timed, nothing left', {
  skip: skipSys ?? false,
}, async (t) => {
  const N = 1000;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['getppid', String(N)]);
  const run = startTool([
    'syscount',
    '--backend',
    'bpf',
    '--json',
    '-L',
    '-T',
    '0',
    '-p',
    String(target.child.pid),
  ]);
  reap(t, target, run);
  const ids = await readyIds(run, 2);
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^probekit syscount: counting in the kernel \(BPF\)$/m);
  const rows = jsonLines(r.stdout).find((e) => e['type'] === 'syscalls')!['rows'] as {
    syscall: string;
    count: number;
    total_ns: number;
  }[];
  const g = rows.find((x) => x.syscall === 'getppid');
  assert.ok(g, r.stdout);
  assert.equal(g.count, N);
  assert.ok(g.total_ns > 0);
  const s = summaryOf(r.stdout);
  assert.equal(s['backend'], 'bpf');
  assert.equal(s['lost'], 0);
  assert.equal(s['probes_removed'], 2);
  assert.equal(
    s['events'],
    rows.reduce((n, x) => n + x.count, 0),
  );
  assert.deepEqual(await waitGone(ids), [], 'every program and map is gone');
});

test('syscount --backend bpf -x -P: failed syscalls by error name and process', {
  skip: skipSys ?? false,
}, async (t) => {
  const N = 30;
  const target = startShTarget(
    `exec 2>/dev/null; i=0; while [ $i -lt ${N} ]; do true < /nonexistent/pk-sc; i=$((i+1)); done`,
  );
  const pid = target.child.pid!;
  const byName = startTool(['syscount', '--backend', 'bpf', '--json', '-x', '-p', String(pid)]);
  const byProc = startTool(['syscount', '--backend', 'bpf', '-x', '-P', '-p', String(pid)]);
  reap(t, target, byName, byProc);
  await Promise.all([byName.ready, byProc.ready]);
  await target.go();
  const [a, b] = await Promise.all([interrupt(byName), interrupt(byProc)]);
  assert.equal(a.code, 0, a.stderr);
  const rows = jsonLines(a.stdout).find((e) => e['type'] === 'syscalls')!['rows'] as {
    syscall: string;
    errno: string;
    count: number;
  }[];
  assert.deepEqual(
    rows.filter((x) => x.syscall === 'openat'),
    [{ syscall: 'openat', errno: 'ENOENT', count: N, total_ns: 0 }],
  );
  assert.ok(rows.every((x) => x.errno.startsWith('E')));
  assert.equal(b.code, 0, b.stderr);
  const lines = b.stdout.split('\n');
  assert.match(lines[0]!, /^\s+PID COMM\s+ERROR\s+COUNT$/);
  assert.ok(
    lines.some((l) => new RegExp(`^\\s*${pid} sh\\s+ENOENT\\s+${N}$`).test(l)),
    b.stdout,
  );
});

test('funccount --backend bpf: a uprobe pattern counts a noinline function exactly', {
  skip: skipU ?? false,
}, async (t) => {
  const N = 777;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['step', String(N)]);
  const run = startTool([
    'funccount',
    '--backend',
    'bpf',
    '--json',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_*`,
  ]);
  reap(t, target, run);
  const ids = await readyIds(run, 3);
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /^probekit funccount: counting in the kernel \(BPF\)$/m);
  const counts = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!['counts'];
  assert.deepEqual(counts, [{ func: 'pk_step', count: N }]);
  const summary = summaryOf(r.stdout);
  assert.equal(summary['backend'], 'bpf');
  assert.equal(summary['events'], N);
  assert.equal(summary['probes'], 3);
  assert.equal(summary['probes_removed'], 3);
  assert.deepEqual(summary['leftovers'], []);
  assert.deepEqual(leftoversOfPid(run.child.pid), [], 'nothing written to tracefs');
  assert.deepEqual(await waitGone(ids), []);
});

test('funccount --backend bpf: tracepoint globs, -d and the same text table', {
  skip: skipSys ?? false,
}, async (t) => {
  const N = 123;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['getppid', String(N)]);
  const run = startTool([
    'funccount',
    '--backend',
    'bpf',
    '-p',
    String(target.child.pid),
    '-d',
    '3',
    't:syscalls:sys_enter_getp*',
  ]);
  reap(t, target, run);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await run.done;
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^FUNC\s+COUNT$/);
  assert.ok(
    lines.some((l) => /^syscalls:sys_enter_getppid\s+123$/.test(l)),
    r.stdout,
  );
});

test('funccount --backend bpf -i: each interval counts from zero (the kernel counts are reset)', {
  skip: skipU ?? false,
}, async (t) => {
  const [N1, N2] = [300, 500];
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  // No -p: only this freshly built binary runs pk_step.
  const run = startTool(['funccount', '--backend', 'bpf', '--json', '-i', '1', `u:${bin}:pk_step`]);
  reap(t, run);
  await run.ready;
  assert.equal(await startProgram(bin, ['step', String(N1)]).go(), 0);
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await startProgram(bin, ['step', String(N2)]).go(), 0);
  await new Promise((r) => setTimeout(r, 1500));
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const tables = jsonLines(r.stdout).filter((e) => e['type'] === 'counts');
  const perTable = tables.map((x) =>
    (x['counts'] as { func: string; count: number }[]).reduce((n, c) => n + c.count, 0),
  );
  assert.ok(tables.length >= 3, `${tables.length} intervals printed`);
  assert.equal(
    perTable.reduce((a, b) => a + b, 0),
    N1 + N2,
    `per interval: ${perTable}`,
  );
  assert.ok(perTable.includes(N1) && perTable.includes(N2), `per interval: ${perTable}`);
});

test('funclatency --backend bpf -u: N calls of a function that sleeps 3 ms', {
  skip: skipU ?? false,
}, async (t) => {
  const N = 5;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['sleep', String(N), '3000']);
  const run = startTool([
    'funclatency',
    '--backend',
    'bpf',
    '--json',
    '-u',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_sleep`,
  ]);
  reap(t, target, run);
  const ids = await readyIds(run, 2);
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const h = jsonLines(r.stdout).find((e) => e['type'] === 'histogram')!;
  assert.equal(h['unit'], 'usecs');
  assert.equal(h['total'], N);
  const buckets = h['buckets'] as { low: number; high: number; count: number }[];
  assert.ok(
    buckets.every((b) => b.low >= 2048 && b.high < 1_000_000),
    JSON.stringify(buckets),
  );
  const summary = summaryOf(r.stdout);
  assert.equal(summary['backend'], 'bpf');
  assert.equal(summary['paired'], N);
  assert.equal(summary['unmatched_returns'], 0);
  assert.deepEqual(await waitGone(ids), []);
});

test('funclatency --backend bpf -F -P: per function and process, text histograms', {
  skip: skipU ?? false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['step', '50']);
  const run = startTool([
    'funclatency',
    '--backend',
    'bpf',
    '-F',
    '-P',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_*`,
  ]);
  reap(t, target, run);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(`^Function = pk_step, pid = ${target.child.pid} pktarget$`, 'm'),
  );
  assert.match(r.stdout, /^\s+nsecs\s+: count\s+distribution$/m);
  const total = [...r.stdout.matchAll(/: (\d+)\s+\|/g)].reduce((n, m) => n + Number(m[1]), 0);
  assert.equal(total, 50);
});

test('argdist --backend bpf: -C counts argument values, -H makes a histogram', {
  skip: skipU ?? false,
}, async (t) => {
  const N = 9;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const t1 = startProgram(bin, ['check', String(N)]);
  const run = startTool([
    'argdist',
    '--backend',
    'bpf',
    '--json',
    '-p',
    String(t1.child.pid),
    '-C',
    `u:${bin}:pk_check(i:s32)`,
    '-H',
    `u:${bin}:pk_step(i:s32)`,
  ]);
  reap(t, t1, run);
  const ids = await readyIds(run, 2);
  assert.equal(await t1.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const out = jsonLines(r.stdout);
  const counts = out.find((e) => e['type'] === 'counts')!;
  assert.deepEqual(
    (counts['counts'] as { value: string; count: number }[]).map((c) => c.value).sort(),
    Array.from({ length: N }, (_, i) => `i = ${i}`).sort(),
  );
  assert.ok((counts['counts'] as { count: number }[]).every((c) => c.count === 1));
  const hist = out.find((e) => e['type'] === 'histogram')!;
  assert.equal(hist['total'], 0);
  assert.equal(hist['field'], 'i');
  assert.equal(summaryOf(r.stdout)['backend'], 'bpf');
  assert.deepEqual(await waitGone(ids), []);
});

test('argdist --backend bpf -H and a numeric filter: the right power-of-two buckets', {
  skip: skipU ?? false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['step', '100']);
  const run = startTool([
    'argdist',
    '--backend',
    'bpf',
    '-p',
    String(target.child.pid),
    '-H',
    `u:${bin}:pk_step(i:s32) if i >= 32`,
  ]);
  reap(t, target, run);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\s+i\s+: count\s+distribution$/m);
  // i in 32..99: 32 in [32, 63], 36 in [64, 127]; nothing below 32.
  assert.match(r.stdout, /^\s+32 -> 63\s+: 32\s+\|\*+\s*\|$/m);
  assert.match(r.stdout, /^\s+64 -> 127\s+: 36\s+\|\*{40}\|$/m);
  assert.match(r.stdout, /^\s+16 -> 31\s+: 0\s+\|\s+\|$/m);
});

test('auto falls back to tracefs, saying why, for what BPF cannot aggregate; bpf refuses it', {
  skip: skipU ?? false,
}, async (t) => {
  const N = 6;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const spec = `u:${bin}:pk_check(i:s32) if comm == "pktarget"`;
  const target = startProgram(bin, ['check', String(N)]);
  const run = startTool(['argdist', '--json', '-p', String(target.child.pid), '-C', spec]);
  reap(t, target, run);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /^probekit argdist: counting in user space \(tracefs\); BPF not used: .*text.*$/m,
  );
  const counts = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!['counts'] as {
    count: number;
  }[];
  assert.equal(
    counts.reduce((n, c) => n + c.count, 0),
    N,
  );
  assert.equal(summaryOf(r.stdout)['backend'], 'tracefs');
  assert.deepEqual(leftoversOfPid(run.child.pid), []);

  const refused = await runCli(['argdist', '--backend', 'bpf', '-C', spec, '-d', '1']);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /cannot be aggregated in the kernel/);
  assert.match(refused.stderr, /--backend tracefs/);
});

test('kill -9 of a tool counting in the kernel leaves no program, map or link behind', {
  skip: skipU ?? false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const run = startTool(['funccount', '--backend', 'bpf', `u:${bin}:pk_*`]);
  const lat = startTool(['funclatency', '--backend', 'bpf', `u:${bin}:pk_*`]);
  reap(t, run, lat);
  const ids = await readyIds(run, 3);
  const latIds = await readyIds(lat, 6);
  assert.ok(ids.maps.length >= 1 && latIds.maps.length >= 3);
  run.child.kill('SIGKILL');
  lat.child.kill('SIGKILL');
  await Promise.all([run.done, lat.done]);
  assert.deepEqual(await waitGone(ids, 5000), [], 'funccount: the kernel released everything');
  assert.deepEqual(await waitGone(latIds, 5000), [], 'funclatency: the kernel released everything');
});

test('funccount --backend bpf: 200 uprobes at once, each counted exactly', {
  skip: skipU ?? false,
}, async (t) => {
  const M = 200;
  const bin = buildC(manyFunctionsProgram(M), 'pkmany');
  const target = startProgram(bin, []);
  const run = startTool([
    'funccount',
    '--backend',
    'bpf',
    '--json',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_f*`,
  ]);
  reap(t, target, run);
  const ids = await readyIds(run, M);
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const counts = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!['counts'] as {
    func: string;
    count: number;
  }[];
  assert.equal(counts.length, M);
  assert.deepEqual(counts[0], { func: 'pk_f7', count: 5 });
  assert.ok(counts.slice(1).every((c) => c.count === 1));
  assert.equal(summaryOf(r.stdout)['probes_removed'], M);
  assert.deepEqual(await waitGone(ids), []);
});

test('--backend is checked: bpf, tracefs or auto', async () => {
  const r = await runCli(['funccount', '--backend', 'gpu', 'u:libc:malloc']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--backend is bpf, tracefs or auto, not 'gpu'/);
});
