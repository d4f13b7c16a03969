// The load generator: a C program with a loop of getppid() (traced by
// syscalls:sys_enter_getppid) or of a non-inlined function (for uprobes). It
// prints "ready", waits for one byte on stdin (so a consumer can be attached
// to its pid first), runs the loop, and prints nanoseconds per iteration.
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const UPROBE_SYMBOL = 'pk_bench_work';

const SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

__attribute__((noinline)) long ${UPROBE_SYMBOL}(long x) {
  __asm__ volatile("" ::: "memory");
  return x + 1;
}

static double now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e9 + t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) { fprintf(stderr, "usage: %s syscall|func N [gate]\\n", argv[0]); return 2; }
  const char *mode = argv[1];
  long n = atol(argv[2]);
  if (argc > 3) {
    char c;
    printf("ready\\n");
    fflush(stdout);
    if (read(0, &c, 1) != 1) return 3;
  }
  long acc = 0;
  double a = now_ns();
  if (strcmp(mode, "syscall") == 0)
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
  else
    for (long i = 0; i < n; i++) acc = ${UPROBE_SYMBOL}(acc);
  double b = now_ns();
  printf("%.2f\\n", (b - a) / n);
  return acc == -1;
}
`;

/** Compiles the generator into dir; returns the executable's path. */
export function buildLoad(dir) {
  const exe = join(dir, 'pkbench_load');
  writeFileSync(`${exe}.c`, SOURCE);
  execFileSync('gcc', ['-O2', '-o', exe, `${exe}.c`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return exe;
}

/**
 * Starts the generator held at its gate. Resolves once it is ready, with its
 * pid, go() to open the gate, and `done`: ns per iteration once it exits.
 */
export function startGated(exe, mode, calls, track) {
  const child = spawn(exe, [mode, String(calls), 'gate'], { stdio: ['pipe', 'pipe', 'inherit'] });
  track(child);
  let out = '';
  child.stdout.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    const done = new Promise((res, rej) => {
      child.on('exit', (code) => {
        const ns = Number(out.trim().split('\n').pop());
        if (code === 0 && Number.isFinite(ns)) res(ns);
        else rej(new Error(`load generator exited with ${code}: ${out}`));
      });
    });
    // Killed at Ctrl-C before anyone awaits it: not an unhandled rejection.
    done.catch(() => {});
    let readyFired = false;
    child.stdout.on('data', (d) => {
      out += d;
      if (!readyFired && out.startsWith('ready\n')) {
        readyFired = true;
        out = out.slice(6);
        resolve({ pid: child.pid, child, go: () => child.stdin.end('g'), done });
      }
    });
    child.on('error', reject);
    child.on('exit', () => {
      if (!readyFired) reject(new Error('load generator died before its gate'));
    });
  });
}
