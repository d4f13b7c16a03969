/**
 * The tools' kprobe forms. They need a kernel with kprobes, so on the
 * development machine (no CONFIG_KPROBES) they skip; the QEMU lane runs them
 * inside Debian 6.1 and 6.12 guests. The target is a shell (no compiler in the
 * guest) that opens a missing file N times after `exec 2>/dev/null`, so
 * do_filp_open (global in fs/namei.c, called from fs/open.c: never inlined
 * into its caller) runs exactly N + 1 times in that process, N of them failing
 * with ENOENT.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { jsonLines } from '../helpers/cli.js';
import { whyNoTracing } from '../helpers/live.js';
import { interrupt, leftoversOfPid, startShTarget, startTool } from '../tools/helpers.js';

const skipK = whyNoTracing(['kprobes']);
const FN = 'do_filp_open';

function opener(n: number): ReturnType<typeof startShTarget> {
  return startShTarget(
    `exec 2>/dev/null; i=0; while [ $i -lt ${n} ]; do true < /nonexistent/pk-kprobe; i=$((i+1)); done`,
  );
}

test('funccount with a kernel glob: expanded from the traceable functions, N + 1 opens counted exactly', {
  skip: skipK ?? false,
}, async () => {
  const N = 40;
  const target = opener(N);
  const run = startTool(['funccount', '--json', '-p', String(target.child.pid), 'do_filp_ope*']);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const counts = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!['counts'] as {
    func: string;
    count: number;
  }[];
  assert.equal(counts.find((c) => c.func === FN)?.count, N + 1, r.stdout);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test(`funclatency k:${FN}: every call in the histogram`, { skip: skipK ?? false }, async () => {
  const N = 20;
  const target = opener(N);
  const run = startTool(['funclatency', '--json', '-p', String(target.child.pid), FN]);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const h = jsonLines(r.stdout).find((e) => e['type'] === 'histogram')!;
  assert.equal(h['unit'], 'nsecs');
  assert.equal(h['total'], N + 1);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test(`errsnoop k:${FN}: the N failing opens, ENOENT`, { skip: skipK ?? false }, async () => {
  const N = 15;
  const target = opener(N);
  const run = startTool(['errsnoop', '--json', '-p', String(target.child.pid), `k:${FN}(dfd:s32)`]);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const errs = jsonLines(r.stdout).filter((e) => e['type'] === 'error');
  assert.equal(errs.length, N, r.stdout);
  for (const e of errs) {
    assert.equal(e['errno'], 'ENOENT');
    assert.equal(e['ret'], -2);
    assert.equal(e['function'], FN);
    assert.deepEqual(e['args'], { dfd: '-100' });
  }
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

test(`argdist -C k:${FN}(dfd): AT_FDCWD N + 1 times`, { skip: skipK ?? false }, async () => {
  const N = 12;
  const target = opener(N);
  const run = startTool([
    'argdist',
    '--json',
    '-p',
    String(target.child.pid),
    '-C',
    `k:${FN}(dfd:s32)`,
  ]);
  await run.ready;
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const c = jsonLines(r.stdout).find((e) => e['type'] === 'counts')!;
  assert.deepEqual(c['counts'], [{ value: 'dfd = -100', count: N + 1 }]);
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});

// The lane guest's static busybox bypasses the system libc: only the kprobe
// sources can see its paths and arguments. Elsewhere the system shell is used.
const BUSYBOX = '/vm/busybox';
const skipSnoop = whyNoTracing(['kprobes', 'syscalls']);

test('execsnoop and opensnoop read paths and argv with syscall kprobes, static programs too', {
  skip: skipSnoop ?? false,
}, async () => {
  const staticShell = existsSync(BUSYBOX);
  const cat = staticShell ? `${BUSYBOX} cat` : 'cat';
  const script = `read go; exec 2>/dev/null; ${cat} /nonexistent/pk-static; /nonexistent/pk-static-exec one two`;
  const target = staticShell
    ? spawn(BUSYBOX, ['sh', '-c', script], { stdio: ['pipe', 'ignore', 'ignore'] })
    : spawn('/bin/sh', ['-c', script], { stdio: ['pipe', 'ignore', 'ignore'] });
  const pid = target.pid!;
  const open = startTool(['opensnoop', '--backend', 'tracefs', '--json', '-x', '-p', String(pid)]);
  const exec = startTool(['execsnoop', '--backend', 'tracefs', '--json', '-x']);
  await Promise.all([open.ready, exec.ready]);
  target.stdin?.end('go\n');
  await once(target, 'exit');
  const [o, e] = await Promise.all([interrupt(open), interrupt(exec)]);
  assert.equal(o.code, 0, o.stderr);
  assert.equal(e.code, 0, e.stderr);
  assert.match(o.stderr, /note: paths come from kprobes on the open syscalls/);
  assert.match(e.stderr, /note: arguments come from a kprobe on the execve\/execveat syscalls/);
  const opens = jsonLines(o.stdout).filter((x) => x['type'] === 'open');
  assert.ok(
    opens.some((x) => x['path'] === '/nonexistent/pk-static' && x['errno'] === 'ENOENT'),
    o.stdout,
  );
  const execs = jsonLines(e.stdout).filter((x) => x['type'] === 'exec');
  assert.ok(
    execs.some(
      (x) =>
        x['errno'] === 'ENOENT' &&
        x['filename'] === '/nonexistent/pk-static-exec' &&
        JSON.stringify(x['argv']) ===
          JSON.stringify(['/nonexistent/pk-static-exec', 'one', 'two']) &&
        x['argv_source'] === 'kprobe',
    ),
    e.stdout,
  );
  assert.deepEqual(leftoversOfPid(open.child.pid), []);
  assert.deepEqual(leftoversOfPid(exec.child.pid), []);
});
