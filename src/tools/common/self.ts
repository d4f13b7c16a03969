/**
 * Keeping a tool from tracing itself: every thread of this process is left
 * out with a kernel filter (`common_pid` is a thread id). Reading events makes
 * syscalls, so without this syscount and opensnoop would feed on themselves.
 */
import { readdirSync } from 'node:fs';

/** Thread ids of this process. */
export function ownThreads(): number[] {
  try {
    return readdirSync('/proc/self/task').map(Number).filter(Number.isInteger);
  } catch {
    return [process.pid];
  }
}

/** A probe filter body (`pid != 1 && pid != 2`) that drops this process's events. */
export function notSelfFilter(threads: readonly number[] = ownThreads()): string {
  return threads.map((t) => `pid != ${t}`).join(' && ');
}

/** Appends ` if <filter>` to a probe, joining an existing filter with `&&`. */
export function withFilter(spec: string, filter: string | null): string {
  if (!filter) return spec;
  const at = spec.search(/\sif\s/);
  if (at < 0) return `${spec} if ${filter}`;
  return `${spec.slice(0, at)} if (${spec.slice(at + 4).trim()}) && ${filter}`;
}
