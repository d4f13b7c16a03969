/**
 * opensnoop on the BPF backend, on this machine's kernel (no kprobes): paths
 * read from the open syscall tracepoints, so opens that bypass libc (a static
 * binary, the raw creat syscall) show their path; -p and -x filtered in the
 * kernel; the backend named on stderr and in the JSON summary; no BPF program
 * or map left behind.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { bpftoolSkipReason, heldIds, liveSkipReason } from '../bpf/live/helpers.js';
import { jsonLines } from '../helpers/cli.js';
import { buildC, tracefsRoot, whyNoTracing } from '../helpers/live.js';
import {
  assertNothingLeft,
  type BpfIds,
  interrupt,
  leftoversOfPid,
  readyBpfIds,
  reap,
  startProgram,
  startShTarget,
  startTool,
  type ToolRun,
} from './helpers.js';

/**
 * Waits for a go line, then opens argv[2] argv[1] times (O_RDONLY), opens "/"
 * (O_RDONLY|O_DIRECTORY), and, where the syscall exists, creat(argv[3]) by
 * raw syscall.
 */
const STATIC_OPENS = `#define _GNU_SOURCE
#include <fcntl.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char c;
  if (argc < 4 || read(0, &c, 1) != 1) return 2;
  int n = atoi(argv[1]);
  for (int i = 0; i < n; i++) { int fd = open(argv[2], O_RDONLY); if (fd >= 0) close(fd); }
  int d = open("/", O_RDONLY | O_DIRECTORY);
  if (d >= 0) close(d);
#ifdef SYS_creat
  syscall(SYS_creat, argv[3], 0644);
#endif
  return 0;
}
`;

const skipBpf =
  (liveSkipReason() ? `needs BPF: ${liveSkipReason()}` : null) ??
  bpftoolSkipReason() ??
  whyNoTracing(['tracepoints', 'syscalls']);

let staticBin: string | null = null;
function staticSkip(): string | null {
  if (skipBpf) return skipBpf;
  if (whyNoTracing(['gcc'])) return whyNoTracing(['gcc']);
  try {
    staticBin = buildC(STATIC_OPENS, 'pkopens', ['-O1', '-static']);
    return null;
  } catch {
    return 'needs a static libc for gcc -static (apt-get install -y libc6-dev)';
  }
}
const skipStatic = staticSkip();

/** Once the tool is ready: its BPF objects, a program per open tracepoint. */
async function readyIds(run: ToolRun): Promise<BpfIds> {
  const ids = await readyBpfIds(run);
  assert.ok(ids.progs.length >= 6, `the tool holds a program per open tracepoint: ${ids.progs}`);
  return ids;
}

const hasCreat = (): boolean =>
  existsSync(`${tracefsRoot() ?? '/sys/kernel/tracing'}/events/syscalls/sys_enter_creat`);

test("opensnoop --backend bpf -p: a static binary's N failed opens with path and ENOENT", {
  skip: skipStatic ?? false,
}, async (t) => {
  const N = 20;
  const target = startProgram(staticBin!, [
    String(N),
    '/nonexistent/pk-static-open',
    '/nonexistent/dir/pk-creat',
  ]);
  const run = startTool([
    'opensnoop',
    '--backend',
    'bpf',
    '--json',
    '-p',
    String(target.child.pid),
  ]);
  reap(t, target, run);
  const ids = await readyIds(run);
  assert.equal(await target.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /note: BPF backend: paths come from the open\/openat\/openat2\/creat syscall tracepoints/,
  );
  const opens = jsonLines(r.stdout).filter((e) => e['type'] === 'open');
  const missing = opens.filter((o) => o['path'] === '/nonexistent/pk-static-open');
  assert.equal(missing.length, N, r.stdout);
  for (const o of missing) {
    assert.equal(o['fd'], -1);
    assert.equal(o['err'], 2);
    assert.equal(o['errno'], 'ENOENT');
    assert.equal(o['pid'], target.child.pid);
    assert.equal(o['comm'], 'pkopens');
    assert.equal(o['syscall'], 'openat');
    assert.equal(o['flags'], 0);
  }
  const root = opens.filter((o) => o['path'] === '/');
  assert.equal(root.length, 1, r.stdout);
  assert.ok((root[0]!['fd'] as number) >= 0);
  assert.equal(root[0]!['err'], 0);
  if (hasCreat()) {
    const c = opens.filter((o) => o['syscall'] === 'creat');
    assert.deepEqual(
      c.map((o) => [o['path'], o['errno'], o['flags']]),
      [['/nonexistent/dir/pk-creat', 'ENOENT', 0o1101]],
    );
  }
  // Every open of the process has its path.
  assert.ok(
    opens.every((o) => typeof o['path'] === 'string'),
    r.stdout,
  );
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary['type'], 'summary');
  assert.equal(summary['backend'], 'bpf');
  assert.equal(summary['opens'], opens.length);
  await assertNothingLeft(ids, run);
});

test('opensnoop -x (auto picks BPF): only failures, error names and paths in text output', {
  skip: skipBpf ?? false,
}, async (t) => {
  const target = startShTarget(
    'exec 2>/dev/null; true < /nonexistent/pk-bx1; true < /etc/hostname; true < /nonexistent/pk-bx2',
  );
  const run = startTool(['opensnoop', '-x', '-p', String(target.child.pid)]);
  reap(t, target, run);
  const ids = await readyIds(run);
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /note: BPF backend/);
  const lines = r.stdout.replace(/\n+$/, '').split('\n');
  assert.match(lines[0]!, /^\s+PID COMM\s+FD ERR\s+FLAGS PATH$/);
  assert.deepEqual(
    lines.slice(1).map((l) => {
      const w = l.trim().split(/\s+/);
      return [w[0], w[1], w[2], w[3], w[4], w.at(-1)];
    }),
    [
      [String(target.child.pid), 'sh', '-1', 'ENOENT', '00', '/nonexistent/pk-bx1'],
      [String(target.child.pid), 'sh', '-1', 'ENOENT', '00', '/nonexistent/pk-bx2'],
    ],
  );
  await assertNothingLeft(ids, run);
});

test('opensnoop --backend bpf -n: only processes whose name contains NAME', {
  skip: skipBpf ?? false,
}, async (t) => {
  const N = 5;
  const target = startShTarget(
    `exec 2>/dev/null; i=0; while [ $i -lt ${N} ]; do cat /nonexistent/pk-bn; i=$((i+1)); done; true < /nonexistent/pk-bn`,
  );
  const run = startTool(['opensnoop', '--backend', 'bpf', '--json', '-x', '-n', 'ca']);
  reap(t, target, run);
  const ids = await readyIds(run);
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const mine = jsonLines(r.stdout).filter(
    (e) => e['type'] === 'open' && e['path'] === '/nonexistent/pk-bn',
  );
  assert.equal(mine.length, N, r.stdout);
  assert.ok(mine.every((o) => o['comm'] === 'cat' && o['errno'] === 'ENOENT'));
  assert.ok(
    jsonLines(r.stdout).every((e) => e['type'] !== 'open' || (e['comm'] as string).includes('ca')),
  );
  await assertNothingLeft(ids, run);
});

test('opensnoop --backend tracefs still uses no BPF program', {
  skip: (skipBpf ?? whyNoTracing(['uprobes'])) || false,
}, async (t) => {
  const target = startShTarget('exec 2>/dev/null; true < /nonexistent/pk-tf');
  const run = startTool([
    'opensnoop',
    '--backend',
    'tracefs',
    '--json',
    '-x',
    '-p',
    String(target.child.pid),
  ]);
  reap(t, target, run);
  await run.ready;
  assert.equal(heldIds(run.child.pid!).progs.length, 0);
  await target.go();
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stderr, /BPF backend/);
  const o = jsonLines(r.stdout).filter((e) => e['type'] === 'open');
  assert.deepEqual(
    o.map((e) => [e['path'], e['errno']]),
    [['/nonexistent/pk-tf', 'ENOENT']],
  );
  assert.equal(jsonLines(r.stdout).at(-1)!['backend'], 'tracefs');
  assert.deepEqual(leftoversOfPid(run.child.pid), []);
});
