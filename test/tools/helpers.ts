/**
 * Helpers for the tools' real-kernel tests: a target process that waits for a
 * go line on stdin before doing something known (so a tool can be started on
 * its pid first), and a tool runner that waits for the tool's ready line.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { TestContext } from 'node:test';
import { heldIds, kernelObjects, waitGone } from '../bpf/live/helpers.js';
import { CLI, probekitLeftovers } from '../helpers/live.js';

export interface ToolRun {
  readonly child: ChildProcess;
  /** Resolves when the tool printed its "Hit Ctrl-C to end." line. */
  readonly ready: Promise<void>;
  readonly done: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

export function startTool(args: readonly string[], timeoutMs = 60_000): ToolRun {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => {};
  let onFail: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    onReady = res;
    onFail = rej;
  });
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
    if (stderr.includes('Hit Ctrl-C to end.')) onReady();
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((res) => {
    child.on('close', (code) => {
      clearTimeout(timer);
      onFail(new Error(`the tool exited before it was ready (${code}): ${stderr}`));
      res({ code, stdout, stderr });
    });
  });
  return { child, ready, done };
}

/** A process that waits for a line on stdin, then runs `script` (sh), then exits. */
export function startShTarget(script: string): {
  child: ChildProcess;
  go: () => Promise<number | null>;
} {
  const child = spawn('/bin/sh', ['-c', `read go; ${script}`], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  return {
    child,
    go: async () => {
      child.stdin?.end('go\n');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** A built program started with argv, waiting for a go line like startShTarget. */
export function startProgram(
  bin: string,
  args: readonly string[],
): { child: ChildProcess; go: () => Promise<number | null> } {
  const child = spawn(bin, [...args], { stdio: ['pipe', 'ignore', 'ignore'] });
  return {
    child,
    go: async () => {
      child.stdin?.end('go\n');
      const [code] = (await once(child, 'exit')) as [number | null];
      return code;
    },
  };
}

/** Sends SIGINT and waits: the tools print their tables on Ctrl-C. */
export async function interrupt(
  run: ToolRun,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  // Let the last events reach the buffers before asking for the end.
  await new Promise((r) => setTimeout(r, 300));
  run.child.kill('SIGINT');
  return run.done;
}

/** What a tool run with pid `pid` left in tracefs (its group and instance are probekit_<pid>_...). */
export function leftoversOfPid(pid: number | undefined): string[] {
  return pid === undefined ? [] : probekitLeftovers(undefined, `probekit_${pid}_`);
}

/**
 * A C program: waits for a go line, then does MODE N times:
 *   getppid   raw getppid syscalls
 *   step      calls noinline pk_step(i)
 *   check     calls noinline pk_check(i): -ENOENT when i%3==0, -EACCES when i%3==1, else 0
 *   sleep US  calls noinline pk_sleep(US): usleep(US)
 *   open PATH open(PATH, O_RDONLY)
 *   exec PATH ARGS...  execv(PATH, [PATH, ARGS...]) once; on failure waits 300 ms, exits 3
 */
export const TARGET_PROGRAM = `#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
__attribute__((noinline)) int pk_step(int i) { __asm__ volatile("" ::: "memory"); return i + 1; }
__attribute__((noinline)) int pk_check(int i) {
  __asm__ volatile("" ::: "memory");
  return i % 3 == 0 ? -ENOENT : i % 3 == 1 ? -EACCES : 0;
}
__attribute__((noinline)) long pk_sleep(int us) { usleep(us); return us; }
int main(int argc, char **argv) {
  char c;
  if (argc < 3 || read(0, &c, 1) != 1) return 2;
  const char *mode = argv[1];
  int n = atoi(argv[2]);
  long t = 0;
  if (!strcmp(mode, "getppid")) for (int i = 0; i < n; i++) t += syscall(SYS_getppid);
  else if (!strcmp(mode, "step")) for (int i = 0; i < n; i++) t += pk_step(i);
  else if (!strcmp(mode, "check")) for (int i = 0; i < n; i++) t += pk_check(i);
  else if (!strcmp(mode, "sleep")) for (int i = 0; i < n; i++) t += pk_sleep(atoi(argv[3]));
  else if (!strcmp(mode, "open")) for (int i = 0; i < n; i++) { int fd = open(argv[3], O_RDONLY); if (fd >= 0) close(fd); }
  else if (!strcmp(mode, "exec")) { execv(argv[3], argv + 3); usleep(300000); return 3; }
  return t == -1 ? 1 : 0;
}
`;

/**
 * C source of a program with `m` non-inlined functions pk_f0..pk_f{m-1}: after
 * one byte on stdin it calls each once, then pk_f7 four more times.
 */
export function manyFunctionsProgram(m: number): string {
  const fns = Array.from(
    { length: m },
    (_, i) =>
      `__attribute__((noinline)) int pk_f${i}(int x) { __asm__ volatile("" ::: "memory"); return x + ${i}; }`,
  ).join('\n');
  const calls = Array.from(
    { length: m },
    (_, i) => `t += pk_f${i}(${i % 3 === 0 ? 'c' : '1'});`,
  ).join(' ');
  return `#include <unistd.h>\n${fns}\nint main(void) { char c; if (read(0, &c, 1) != 1) return 2; long t = 0; ${calls} for (int i = 0; i < 4; i++) t += pk_f7(i); return t == 0; }\n`;
}

export type BpfIds = { progs: number[]; maps: number[]; links: number[] };

/**
 * Once the tool is ready: the BPF programs, maps and links it holds (from
 * /proc/PID/fdinfo), each program and map checked to be named probekit_ (bpftool).
 */
export async function readyBpfIds(run: ToolRun): Promise<BpfIds> {
  await run.ready;
  const ids = heldIds(run.child.pid!);
  const k = kernelObjects();
  for (const id of ids.progs)
    assert.match(k.progs.find((p) => p.id === id)?.name ?? '', /^probekit_/, `prog ${id}`);
  for (const id of ids.maps)
    assert.match(k.maps.find((m) => m.id === id)?.name ?? '', /^probekit_/, `map ${id}`);
  return ids;
}

/** Nothing of the run left: its programs, maps and links gone from bpftool, nothing in tracefs. */
export async function assertNothingLeft(ids: BpfIds, run: ToolRun): Promise<void> {
  assert.deepEqual(await waitGone(ids), [], 'every program, map and link is gone');
  assert.deepEqual(leftoversOfPid(run.child.pid), [], 'nothing left in tracefs');
}

/** Kills whatever of these is still running when the test ends, pass or fail. */
export function reap(t: TestContext, ...children: { readonly child: ChildProcess }[]): void {
  t.after(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill('SIGKILL');
  });
}
