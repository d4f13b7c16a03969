/**
 * syscount, funccount and argdist on this machine's kernel: exact counts of
 * calls made by processes the test starts (raw syscalls, syscall
 * tracepoints, uprobes on a C program built here).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { jsonLines, runCli } from '../helpers/cli.js';
import { buildC, tracefsRoot, whyNoTracing } from '../helpers/live.js';
import {
  interrupt,
  leftoversOfPid,
  manyFunctionsProgram,
  startProgram,
  startShTarget,
  startTool,
  TARGET_PROGRAM,
} from './helpers.js';

const skipSys = whyNoTracing(['tracepoints', 'syscalls']);
const skipSysGcc = whyNoTracing(['tracepoints', 'syscalls', 'gcc']);
const skipU = whyNoTracing(['uprobes', 'gcc']);

test('syscount -p: exactly N getppid syscalls, with -L latency', {
  skip: skipSysGcc ?? false,
}, async () => {
  const N = 1000;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['getppid', String(N)]);
  const run = startTool([
    'syscount',
    '--backend',
    'tracefs',
    '--json',
    '-L',
    '-T',
    '0',
    '-p',
    String(target.child.pid),
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const table = jsonLines(r.stdout).find((e) => e['type'] === 'syscalls')!;
  const rows = table['rows'] as { syscall: string; count: number; total_ns: number }[];
  const g = rows.find((x) => x.syscall === 'getppid');
  assert.ok(g, r.stdout);
  assert.equal(g.count, N);
  assert.ok(g.total_ns > 0);
  assert.match(r.stderr, /^probekit syscount: counting in user space \(tracefs\)$/m);
  assert.equal(jsonLines(r.stdout).at(-1)!['backend'], 'tracefs');
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('syscount -x -P: failed syscalls by error name, by process', {
  skip: skipSys ?? false,
}, async () => {
  const N = 30;
  const target = startShTarget(
    `exec 2>/dev/null; i=0; while [ $i -lt ${N} ]; do true < /nonexistent/pk-sc; i=$((i+1)); done`,
  );
  const pid = target.child.pid!;
  const byName = startTool(['syscount', '--backend', 'tracefs', '--json', '-x', '-p', String(pid)]);
  const byProc = startTool(['syscount', '--backend', 'tracefs', '-x', '-P', '-p', String(pid)]);
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
  assert.deepEqual(leftoversOfPid(byName.child.pid), []);
  assert.deepEqual(leftoversOfPid(byProc.child.pid), []);
});

test('funccount: a uprobe pattern counts a noinline function exactly', {
  skip: skipU ?? false,
}, async () => {
  const N = 777;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['step', String(N)]);
  const run = startTool([
    'funccount',
    '--backend',
    'tracefs',
    '--json',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_*`,
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const counts = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!['counts'];
  assert.deepEqual(counts, [{ func: 'pk_step', count: N }]);
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary['type'], 'summary');
  assert.equal(summary['backend'], 'tracefs');
  assert.match(r.stderr, /^probekit funccount: counting in user space \(tracefs\)$/m);
  assert.equal(summary['probes'], 3);
  assert.equal(summary['probes_removed'], 3);
  assert.deepEqual(summary['leftovers'], []);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('funccount: tracepoint globs, -d and a text table', {
  skip: skipSysGcc ?? false,
}, async () => {
  const N = 123;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['getppid', String(N)]);
  const run = startTool([
    'funccount',
    '--backend',
    'tracefs',
    '-p',
    String(target.child.pid),
    '-d',
    '3',
    't:syscalls:sys_enter_getp*',
  ]);
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
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('argdist: -C counts argument values, -H makes a histogram', {
  skip: skipU ?? false,
}, async () => {
  const N = 9;
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const t1 = startProgram(bin, ['check', String(N)]);
  const run = startTool([
    'argdist',
    '--backend',
    'tracefs',
    '--json',
    '-p',
    String(t1.child.pid),
    '-C',
    `u:${bin}:pk_check(i:s32)`,
    '-H',
    `u:${bin}:pk_step(i:s32)`,
  ]);
  await run.ready;
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
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('argdist -H: sizes fall in the right power-of-two buckets', {
  skip: skipU ?? false,
}, async () => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['sleep', '4', '3000']);
  const run = startTool([
    'argdist',
    '--backend',
    'tracefs',
    '-p',
    String(target.child.pid),
    '-H',
    `u:${bin}:pk_sleep(us:s32)`,
  ]);
  await run.ready;
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\s+us\s+: count\s+distribution$/m);
  assert.match(r.stdout, /^\s+2048 -> 4095\s+: 4\s+\|\*{40}\|$/m);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('funccount: 200 uprobes at once, each counted, all removed', {
  skip: skipU ?? false,
}, async () => {
  const M = 200;
  const bin = buildC(manyFunctionsProgram(M), 'pkmany');
  const target = startProgram(bin, []);
  const run = startTool([
    'funccount',
    '--backend',
    'tracefs',
    '--json',
    '-p',
    String(target.child.pid),
    `u:${bin}:pk_f*`,
  ]);
  await run.ready;
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
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary['probes_removed'], M);
  assert.deepEqual(summary['leftovers'], []);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

const root = tracefsRoot();
const skipNoK =
  whyNoTracing([]) ??
  (root && existsSync(`${root}/kprobe_events`)
    ? 'this kernel has kprobes: the kprobe forms run in test/live/tools-kprobes.test.ts'
    : null);

test('without kprobes, kernel functions fail clearly (exit 1) and name the alternatives', {
  skip: skipNoK ?? false,
}, async () => {
  for (const args of [
    ['funccount', 'vfs_*', '-d', '1'],
    ['funccount', 'k:vfs_read', '-d', '1'],
    ['funclatency', 'vfs_read', '-d', '1'],
    ['errsnoop', 'k:do_sys_openat2(dfd:s32)', '-d', '1'],
    ['argdist', '-C', 'k:vfs_read(count)', '-d', '1'],
  ]) {
    const r = await runCli(args);
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.match(
      r.stderr,
      /^probekit: kprobes are not available: .*CONFIG_KPROBES/m,
      args.join(' '),
    );
    assert.match(r.stderr, /hint: .*(tracepoints?|t:).*uprobes/, args.join(' '));
  }
});
