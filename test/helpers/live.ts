/**
 * Shared helpers for tests that run on the real kernel (this machine's, or a
 * Debian kernel in the QEMU lane). Each `why*` returns the reason a test must
 * skip, or null when it can run.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The tracefs root from /proc/mounts, or null. */
export function tracefsRoot(): string | null {
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n');
  for (const line of mounts) {
    const [, dir, type] = line.split(' ');
    if (type === 'tracefs' && dir) return dir;
  }
  return null;
}

export function whyNoTracing(
  needs: readonly ('uprobes' | 'kprobes' | 'tracepoints' | 'gcc' | 'syscalls')[] = [],
): string | null {
  if (process.getuid?.() !== 0) return 'needs root (tracefs writes)';
  const root = tracefsRoot();
  if (!root) return 'needs tracefs mounted (mount -t tracefs nodev /sys/kernel/tracing)';
  for (const n of needs) {
    if (n === 'uprobes' && !existsSync(join(root, 'uprobe_events')))
      return 'needs uprobes (CONFIG_UPROBE_EVENTS)';
    if (n === 'kprobes' && !existsSync(join(root, 'kprobe_events')))
      return 'needs kprobes: this kernel was built without CONFIG_KPROBES (runs in the QEMU lane)';
    if (n === 'tracepoints' && !existsSync(join(root, 'events/sched'))) return 'needs tracepoints';
    if (n === 'syscalls' && !existsSync(join(root, 'events/syscalls')))
      return 'needs syscall tracepoints (CONFIG_FTRACE_SYSCALLS)';
    if (n === 'gcc' && spawnSync('gcc', ['--version']).status !== 0)
      return 'needs gcc to build the probed program';
  }
  return null;
}

/** Compiles C source into a fresh temp dir; returns the binary's path. */
export function buildC(source: string, name = 'prog', flags: readonly string[] = ['-O1']): string {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-test-'));
  const src = join(dir, `${name}.c`);
  const out = join(dir, name);
  writeFileSync(src, source);
  execFileSync('gcc', [...flags, '-o', out, src]);
  return out;
}

/** Everything named probekit in the kernel now: definitions and instances. */
export function probekitLeftovers(
  root = tracefsRoot() ?? '/sys/kernel/tracing',
  prefix = 'probekit_',
): string[] {
  const out: string[] = [];
  for (const f of ['dynamic_events', 'uprobe_events', 'kprobe_events']) {
    const p = join(root, f);
    if (!existsSync(p)) continue;
    for (const line of readFileSync(p, 'utf8').split('\n'))
      if (line.includes(prefix)) out.push(line);
  }
  try {
    for (const d of readdirSync(join(root, 'instances')))
      if (d.startsWith(prefix)) out.push(`instance ${d}`);
  } catch {
    // no instances dir
  }
  return [...new Set(out)];
}

/** Leftovers of one run name only (tests running at once must not see each other's). */
export function leftoversOf(name: string, root = tracefsRoot() ?? '/sys/kernel/tracing'): string[] {
  return probekitLeftovers(root, name);
}

/** The project root (where package.json is), from dist/test/helpers. */
export const PROJECT_ROOT = join(new URL('.', import.meta.url).pathname, '..', '..', '..');
export const CLI = join(PROJECT_ROOT, 'dist', 'src', 'cli', 'bin.js');

/** A function's file offset computed from `nm` and `readelf -lW`, independently of probekit's ELF code. */
export function fileOffsetByNm(binary: string, symbol: string): bigint {
  const nm = execFileSync('nm', ['--defined-only', binary], { encoding: 'utf8' });
  const line = nm.split('\n').find((l) => l.split(' ')[2] === symbol);
  if (!line) throw new Error(`${symbol} not in nm output of ${binary}`);
  const vaddr = BigInt(`0x${line.split(' ')[0]}`);
  const segs = execFileSync('readelf', ['-lW', binary], { encoding: 'utf8' });
  for (const l of segs.split('\n')) {
    const m =
      /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/.exec(
        l,
      );
    if (!m) continue;
    const off = BigInt(`0x${m[1]}`);
    const va = BigInt(`0x${m[2]}`);
    const memsz = BigInt(`0x${m[4]}`);
    if (vaddr >= va && vaddr < va + memsz) return vaddr - va + off;
  }
  throw new Error(`no PT_LOAD holds ${symbol} in ${binary}`);
}

/** A small C program with a noinline function `work(int, const char *)` that sleeps 1 ms and returns a*2+s[0]. */
export const WORK_PROGRAM = `#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
__attribute__((noinline)) int work(int a, const char *s) { usleep(1000); return a * 2 + s[0]; }
__attribute__((noinline)) int sleepy(int ms) { usleep(ms * 1000); return ms; }
int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 3;
  int ms = argc > 2 ? atoi(argv[2]) : 0;
  long t = 0;
  for (int i = 0; i < n; i++) t += work(i, "hello");
  if (ms > 0) t += sleepy(ms);
  printf("%ld\\n", t);
  return 0;
}
`;
