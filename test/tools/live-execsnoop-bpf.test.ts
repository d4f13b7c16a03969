/**
 * execsnoop on the BPF backend, on this machine's kernel (no kprobes): filename
 * and argv read from the execve syscall tracepoints, so a static binary's
 * failed exec shows its exact arguments and error (the libc uprobe path cannot
 * see it); -x filtered in the kernel; --max-args cut marks; the backend named
 * on stderr and in the JSON summary; no BPF program or map left behind.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ExecAssembler, type ExecInput } from '../../src/tools/execsnoop/assemble.js';
import { bpftoolSkipReason, heldIds, liveSkipReason } from '../bpf/live/helpers.js';
import { jsonLines } from '../helpers/cli.js';
import { buildC, whyNoTracing } from '../helpers/live.js';
import {
  assertNothingLeft,
  type BpfIds,
  interrupt,
  readyBpfIds,
  reap,
  startProgram,
  startTool,
  TARGET_PROGRAM,
  type ToolRun,
} from './helpers.js';

/** Waits for a go line, opens argv[2] argv[1] times, then execv(argv[3], argv + 3); exits 3 when that fails. */
const STATIC_PROGRAM = `#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
int main(int argc, char **argv) {
  char c;
  if (argc < 4 || read(0, &c, 1) != 1) return 2;
  int n = atoi(argv[1]);
  for (int i = 0; i < n; i++) { int fd = open(argv[2], O_RDONLY); if (fd >= 0) close(fd); }
  execv(argv[3], argv + 3);
  usleep(300000);
  return 3;
}
`;

const skipBpf =
  (liveSkipReason() ? `needs BPF: ${liveSkipReason()}` : null) ??
  bpftoolSkipReason() ??
  whyNoTracing(['tracepoints', 'syscalls', 'gcc']);

let staticBin: string | null = null;
function staticSkip(): string | null {
  if (skipBpf) return skipBpf;
  try {
    staticBin = buildC(STATIC_PROGRAM, 'pkstatic', ['-O1', '-static']);
    return null;
  } catch {
    return 'needs a static libc for gcc -static (apt-get install -y libc6-dev)';
  }
}
const skipStatic = staticSkip();

/** Once the tool is ready: its BPF objects, with exactly `programs` programs. */
async function readyIds(run: ToolRun, programs: number): Promise<BpfIds> {
  const ids = await readyBpfIds(run);
  assert.equal(ids.progs.length, programs, `the tool holds ${programs} programs`);
  return ids;
}

function execsOf(stdout: string, pid: number | undefined): Record<string, unknown>[] {
  return jsonLines(stdout).filter((e) => e['type'] === 'exec' && e['pid'] === pid);
}

test('execsnoop --backend bpf: a static binary failing to exec shows its exact argv and ENOENT', {
  skip: skipStatic ?? false,
}, async (t) => {
  const argv = ['/nonexistent/pk-static-exec', 'alpha', 'beta gamma', ''];
  const target = startProgram(staticBin!, ['0', '/', ...argv]);
  const run = startTool(['execsnoop', '--backend', 'bpf', '--json', '-x']);
  reap(t, target, run);
  // -x: no sched_process_exec program; enter and exit of execve and execveat, and fork.
  const ids = await readyIds(run, 5);
  assert.equal(await target.go(), 3);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const execs = execsOf(r.stdout, target.child.pid);
  assert.equal(execs.length, 1, r.stdout);
  const e = execs[0]!;
  assert.equal(e['ret'], -2);
  assert.equal(e['errno'], 'ENOENT');
  assert.equal(e['filename'], '/nonexistent/pk-static-exec');
  assert.deepEqual(e['argv'], argv);
  assert.equal(e['argv_source'], 'tracepoint');
  assert.equal(e['truncated'], false);
  assert.equal(e['comm'], 'pkstatic');
  assert.equal(e['ppid'], process.pid);
  assert.match(
    r.stderr,
    /note: BPF backend: arguments come from the execve\/execveat syscall tracepoints/,
  );
  assert.match(
    r.stderr,
    /Tracing failed exec\(\)s \(arguments from the syscall tracepoints, BPF\)/,
  );
  const summary = jsonLines(r.stdout).at(-1)!;
  assert.equal(summary['type'], 'summary');
  assert.equal(summary['backend'], 'bpf');
  assert.equal(summary['probes_removed'], 5);
  assert.ok(jsonLines(r.stdout).every((x) => x['type'] !== 'exec' || x['ret'] !== 0));
  await assertNothingLeft(ids, run);
});

test('execsnoop --backend bpf: successful execs with exact arguments, quoted, cut marks', {
  skip: skipBpf ?? false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const many = Array.from({ length: 40 }, (_, i) => `a${i}`);
  const seven = Array.from({ length: 7 }, (_, i) => `b${i}`);
  const long = 'L'.repeat(300);
  const t1 = startProgram(bin, ['exec', '1', '/bin/true', 'one', 'two words', '']);
  const t2 = startProgram(bin, ['exec', '1', '/bin/true', ...many]);
  // Exactly --max-args arguments: complete, not marked.
  const t3 = startProgram(bin, ['exec', '1', '/bin/true', ...seven]);
  // An argument longer than a BPF string read: marked.
  const t4 = startProgram(bin, ['exec', '1', '/bin/true', long]);
  const run = startTool(['execsnoop', '--backend', 'bpf', '-q', '-t', '--max-args', '8']);
  reap(t, t1, t2, t3, t4, run);
  const ids = await readyIds(run, 6);
  for (const x of [t1, t2, t3, t4]) assert.equal(await x.go(), 0);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.split('\n');
  assert.match(lines[0]!, /^TIME\(s\)\s+PCOMM\s+PID\s+PPID\s+RET ARGS$/);
  const lineOf = (pid: number | undefined): string => {
    const l = lines.find((x) => new RegExp(`^\\S+\\s+\\S+\\s+${pid}\\s`).test(x));
    assert.ok(l, `no line for ${pid}:\n${r.stdout}`);
    return l;
  };
  assert.match(
    lineOf(t1.child.pid),
    /^\d+\.\d{6}\s+true\s+\d+\s+(\d+|\?)\s+0 "\/bin\/true" "one" "two words" ""$/,
  );
  assert.match(
    lineOf(t2.child.pid),
    /\s0 "\/bin\/true" "a0" "a1" "a2" "a3" "a4" "a5" "a6" \.\.\.$/,
  );
  assert.match(lineOf(t3.child.pid), /\s0 "\/bin\/true" "b0" "b1" "b2" "b3" "b4" "b5" "b6"$/);
  assert.match(lineOf(t4.child.pid), /\s0 "\/bin\/true" "L{100,127}" \.\.\.$/);
  assert.doesNotMatch(r.stdout, /\[proc\]/);
  await assertNothingLeft(ids, run);
});

test('execsnoop -x (auto picks BPF): only failed execs, with error names, and -n', {
  skip: skipBpf ?? false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const ok = startProgram(bin, ['exec', '1', '/bin/true', 'pk-x-ok']);
  const bad1 = startProgram(bin, ['exec', '1', '/nonexistent/pk-x-bad', 'one']);
  const bad2 = startProgram(bin, ['exec', '1', '/', 'pk-x-noexec']);
  const other = startProgram(bin, ['exec', '1', '/nonexistent/pk-x-other']);
  const all = startTool(['execsnoop', '-x']);
  const named = startTool(['execsnoop', '-x', '--json', '-n', 'pk-x-(bad|noexec)']);
  reap(t, ok, bad1, bad2, other, all, named);
  await Promise.all([all.ready, named.ready]);
  assert.deepEqual(await Promise.all([ok.go(), bad1.go(), bad2.go(), other.go()]), [0, 3, 3, 3]);
  const [a, n] = await Promise.all([interrupt(all), interrupt(named)]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stderr, /note: BPF backend/);
  const lineOf = (pid: number | undefined): string | undefined =>
    a.stdout.split('\n').find((x) => new RegExp(`^\\S+\\s+${pid}\\s`).test(x));
  assert.equal(lineOf(ok.child.pid), undefined, a.stdout);
  assert.match(
    lineOf(bad1.child.pid) ?? '',
    /^pktarget\s+\d+\s+(\d+|\?)\s+ENOENT \/nonexistent\/pk-x-bad one$/,
  );
  assert.match(lineOf(bad2.child.pid) ?? '', /^pktarget\s+\d+\s+(\d+|\?)\s+EACCES \/ pk-x-noexec$/);
  assert.equal(n.code, 0, n.stderr);
  const pids = jsonLines(n.stdout)
    .filter((e) => e['type'] === 'exec')
    .map((e) => e['pid']);
  assert.ok(pids.includes(bad1.child.pid) && pids.includes(bad2.child.pid), n.stdout);
  assert.ok(!pids.includes(other.child.pid) && !pids.includes(ok.child.pid), n.stdout);
  assert.equal(jsonLines(n.stdout).at(-1)!['backend'], 'bpf');
});

test('execsnoop --backend tracefs still takes the libc uprobe (or kprobe) path', {
  skip: (skipBpf ?? whyNoTracing(['uprobes'])) || false,
}, async (t) => {
  const bin = buildC(TARGET_PROGRAM, 'pktarget');
  const target = startProgram(bin, ['exec', '1', '/nonexistent/pk-tracefs', 'x']);
  const run = startTool(['execsnoop', '--backend', 'tracefs', '--json', '-x']);
  reap(t, target, run);
  await run.ready;
  assert.equal(held(run), 0, 'no BPF program');
  assert.equal(await target.go(), 3);
  const r = await interrupt(run);
  assert.equal(r.code, 0, r.stderr);
  const e = execsOf(r.stdout, target.child.pid)[0];
  assert.ok(e, r.stdout);
  assert.deepEqual(e['argv'], ['/nonexistent/pk-tracefs', 'x']);
  assert.ok(['libc', 'kprobe'].includes(e['argv_source'] as string));
  assert.doesNotMatch(r.stderr, /BPF backend/);
  assert.equal(jsonLines(r.stdout).at(-1)!['backend'], 'tracefs');
});

function held(run: ToolRun): number {
  return heldIds(run.child.pid!).progs.length;
}

// The assembly of tracepoint records (pure).

function args(tid: number, filename: string, argv: readonly string[]): ExecInput {
  return { role: 'args', tid, tgid: tid, comm: 'sh', ns: 1n, fields: { filename, argv } };
}
function exit(tid: number, ret: number): ExecInput {
  return { role: 'exit', tid, tgid: tid, comm: 'sh', ns: 2n, fields: { ret } };
}
const noProc = { cmdline: () => null, ppid: () => null };

test('execsnoop assembly: tracepoint argv is cut at --max-args and marked only when longer', () => {
  const asm = new ExecAssembler(noProc, true, 'tracepoint', { maxArgs: 3 });
  asm.push(args(10, '/x', ['/x', 'a', 'b']));
  const full = asm.push(exit(10, -2))!;
  assert.deepEqual(full.argv, ['/x', 'a', 'b']);
  assert.equal(full.truncated, false);
  assert.equal(full.argvSource, 'tracepoint');
  assert.equal(full.filename, '/x');
  asm.push(args(11, '/x', ['/x', 'a', 'b', 'c']));
  const cut = asm.push(exit(11, -13))!;
  assert.deepEqual(cut.argv, ['/x', 'a', 'b']);
  assert.equal(cut.truncated, true);
  asm.push(args(12, '/x', ['/x', 'y'.repeat(127)]));
  assert.equal(asm.push(exit(12, -2))!.truncated, true, 'a string at the read limit');
  // 64 is the most one array reads: a full 64 may have been cut.
  const max = new ExecAssembler(noProc, true, 'tracepoint', { maxArgs: 64 });
  max.push(
    args(
      13,
      '/x',
      Array.from({ length: 64 }, () => 'a'),
    ),
  );
  assert.equal(max.push(exit(13, -2))!.truncated, true);
});
