/** Running the built CLI as a user would, with a time limit. */
import { type ChildProcess, spawn } from 'node:child_process';
import { CLI } from './live.js';

/** Guests of the QEMU lane run 5-30 times slower than the host: time limits stretch there. */
export const SLOW = process.env['PROBEKIT_VM_KERNEL'] ? 5 : 1;

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The CLI's pid: its run's group and instance are named probekit_<pid>_<random>. */
  readonly pid: number | undefined;
}

export function runCli(
  args: readonly string[],
  opts: { timeoutMs?: number; input?: string } = {},
): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  return collect(child, (opts.timeoutMs ?? 30_000) * SLOW, opts.input);
}

export function startCli(args: readonly string[]): {
  child: ChildProcess;
  done: Promise<CliResult>;
} {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { child, done: collect(child, 60_000 * SLOW) };
}

function collect(child: ChildProcess, timeoutMs: number, input?: string): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  if (input !== undefined) child.stdin?.end(input);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, pid: child.pid });
    });
  });
}

/** Waits until `predicate` holds (polling), or fails after `ms`. */
export async function waitFor(
  predicate: () => boolean,
  ms = 10_000,
  what = 'condition',
): Promise<void> {
  const end = Date.now() + ms * SLOW;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
