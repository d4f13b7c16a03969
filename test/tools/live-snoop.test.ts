/**
 * execsnoop and opensnoop on this machine's kernel (tracepoints + libc
 * uprobes; no kprobes needed), against processes with known behaviour.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { jsonLines } from '../helpers/cli.js';
import { buildC, whyNoTracing } from '../helpers/live.js';
import {
  interrupt,
  leftoversOfPid,
  startProgram,
  startShTarget,
  startTool,
  TARGET_PROGRAM,
} from './helpers.js';

const skipSnoop = whyNoTracing(['tracepoints', 'syscalls', 'uprobes']);
const skipGcc = whyNoTracing(['tracepoints', 'syscalls', 'uprobes', 'gcc']);

test('execsnoop: a failed exec shows ENOENT with the file name and arguments (libc uprobe or kprobe)', {
  skip: skipGcc ?? false,
}, async () => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['exec', '1', '/nonexistent/pk-missing', 'alpha', 'beta gamma']);
  const run = startTool(['execsnoop', '--backend', 'tracefs', '--json', '-x']);
  await run.ready;
  assert.equal(await target.go(), 3);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const execs = jsonLines(r.stdout).filter(
    (e) => e['type'] === 'exec' && e['pid'] === target.child.pid,
  );
  assert.equal(execs.length, 1, r.stdout);
  const e = execs[0]!;
  assert.equal(e['ret'], -2);
  assert.equal(e['errno'], 'ENOENT');
  assert.equal(e['filename'], '/nonexistent/pk-missing');
  assert.deepEqual(e['argv'], ['/nonexistent/pk-missing', 'alpha', 'beta gamma']);
  assert.ok(['libc', 'kprobe'].includes(e['argv_source'] as string));
  assert.equal(e['comm'], 'pktarget');
  assert.equal(e['ppid'], process.pid);
  assert.match(r.stderr, /note: .*(uprobe on libc execve|kprobe on the execve)/);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
  // -x shows only failures: nothing with ret 0.
  assert.ok(jsonLines(r.stdout).every((x) => x['type'] !== 'exec' || x['ret'] !== 0));
});

test('execsnoop: a successful exec with many arguments, quoted text output and truncation mark', {
  skip: skipGcc ?? false,
}, async () => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
  const t1 = startProgram(bin, ['exec', '1', '/bin/true', 'one', 'two words']);
  const t2 = startProgram(bin, ['exec', '1', '/bin/true', ...many]);
  const run = startTool(['execsnoop', '--backend', 'tracefs', '-q', '-t', '--max-args', '8']);
  await run.ready;
  assert.equal(await t1.go(), 0);
  assert.equal(await t2.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^TIME\(s\)\s+PCOMM\s+PID\s+PPID\s+RET ARGS$/);
  const l1 = lines.find((l) => new RegExp(`\\s${t1.child.pid}\\s`).test(l));
  assert.ok(l1, r.stdout);
  // PPID may be ? here: the process is gone before /proc is read, and its fork was not seen.
  assert.match(l1, /^\d+\.\d{6}\s+true\s+\d+\s+(\d+|\?)\s+0 "\/bin\/true" "one" "two words"$/);
  const l2 = lines.find((l) => new RegExp(`\\s${t2.child.pid}\\s`).test(l));
  assert.ok(l2, r.stdout);
  // 8 arguments read, the rest cut by --max-args: marked.
  assert.match(l2, /"\/bin\/true" "a0" "a1" "a2" "a3" "a4" "a5" "a6" \.\.\.$/);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('opensnoop: N failed opens of a missing file, with path, ENOENT and flags, by pid', {
  skip: skipSnoop ?? false,
}, async () => {
  const N = 25;
  const target = startShTarget(
    `exec 2>/dev/null; i=0; while [ $i -lt ${N} ]; do true < /nonexistent/pk-open; i=$((i+1)); done`,
  );
  const run = startTool([
    'opensnoop',
    '--backend',
    'tracefs',
    '--json',
    '-p',
    String(target.child.pid),
  ]);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const opens = jsonLines(r.stdout).filter((e) => e['type'] === 'open');
  const missing = opens.filter((o) => o['path'] === '/nonexistent/pk-open');
  assert.equal(missing.length, N, r.stdout);
  for (const o of missing) {
    assert.equal(o['fd'], -1);
    assert.equal(o['err'], 2);
    assert.equal(o['errno'], 'ENOENT');
    assert.equal(o['pid'], target.child.pid);
    assert.equal(typeof o['flags'], 'number');
  }
  // The one successful open: /dev/null for stderr, write-only.
  const devnull = opens.filter((o) => o['path'] === '/dev/null');
  assert.equal(devnull.length, 1);
  assert.ok((devnull[0]!['fd'] as number) >= 0);
  assert.equal((devnull[0]!['flags'] as number) & 3, 1);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('opensnoop -x: only failures, error names in text output', {
  skip: skipSnoop ?? false,
}, async () => {
  const target = startShTarget(
    'exec 2>/dev/null; true < /nonexistent/pk-x1; true < /nonexistent/pk-x2',
  );
  const run = startTool([
    'opensnoop',
    '--backend',
    'tracefs',
    '-x',
    '-p',
    String(target.child.pid),
  ]);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.replace(/\n+$/, '').split('\n');
  assert.match(lines[0]!, /^\s+PID COMM\s+FD ERR\s+FLAGS PATH$/);
  const body = lines.slice(1);
  assert.deepEqual(
    body.map((l) => l.trim().split(/\s+/).slice(2, 4).concat(l.trim().split(/\s+/).at(-1)!)),
    [
      ['-1', 'ENOENT', '/nonexistent/pk-x1'],
      ['-1', 'ENOENT', '/nonexistent/pk-x2'],
    ],
  );
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test('execsnoop -n and --uid filter the records', { skip: skipGcc ?? false }, async () => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  // Failed execs: the targets stay alive 300 ms, so /proc/PID/status can be read for --uid.
  const a = startProgram(bin, ['exec', '1', '/nonexistent/pk-n-match', 'x']);
  const b = startProgram(bin, ['exec', '1', '/nonexistent/pk-other', 'y']);
  const named = startTool([
    'execsnoop',
    '--backend',
    'tracefs',
    '--json',
    '-x',
    '-n',
    'pk-n-ma.ch',
    '--uid',
    String(process.getuid?.() ?? 0),
  ]);
  const otherUid = startTool([
    'execsnoop',
    '--backend',
    'tracefs',
    '--json',
    '-x',
    '--uid',
    '4242',
  ]);
  await Promise.all([named.ready, otherUid.ready]);
  assert.deepEqual(await Promise.all([a.go(), b.go()]), [3, 3]);
  const [n, u] = await Promise.all([interrupt(named), interrupt(otherUid)]);
  assert.equal(n.code, 0, n.stderr);
  assert.equal(u.code, 0, u.stderr);
  const pidsOf = (out: string): unknown[] =>
    jsonLines(out)
      .filter((e) => e['type'] === 'exec')
      .map((e) => e['pid']);
  assert.ok(pidsOf(n.stdout).includes(a.child.pid), n.stdout);
  assert.ok(!pidsOf(n.stdout).includes(b.child.pid), n.stdout);
  assert.ok(
    !pidsOf(u.stdout).includes(a.child.pid) && !pidsOf(u.stdout).includes(b.child.pid),
    u.stdout,
  );
  assert.match(u.stderr, /note: --uid reads \/proc/);
});
