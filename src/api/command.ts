/**
 * `-c CMD`: start a command held at a gate until tracing of its pid is set up,
 * so not one of its events is missed. The shell reads one byte from fd 3, then
 * execs the command with the same pid.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { Writable } from 'node:stream';

export interface GatedCommand {
  readonly child: ChildProcess;
  readonly pid: number;
  /** Lets the command run. */
  release(): void;
  /** Resolves with the exit code (or 128 + signal number) when it ends. */
  readonly exited: Promise<number>;
}

const SIGNAL_NUMBERS: Readonly<Record<string, number>> = {
  SIGHUP: 1,
  SIGINT: 2,
  SIGQUIT: 3,
  SIGKILL: 9,
  SIGSEGV: 11,
  SIGPIPE: 13,
  SIGTERM: 15,
};

export function startGated(command: string, stdio: 'inherit' | 'ignore' = 'inherit'): GatedCommand {
  const child = spawn(
    '/bin/sh',
    ['-c', 'read -r _ <&3; exec 3<&-; exec /bin/sh -c "$1"', 'probekit-cmd', command],
    {
      stdio: [stdio, stdio, stdio, 'pipe'],
    },
  );
  const gate = child.stdio[3] as Writable;
  gate.on('error', () => {});
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) =>
      resolve(code ?? 128 + (signal ? (SIGNAL_NUMBERS[signal] ?? 0) : 0)),
    );
    child.on('error', () => resolve(127));
  });
  if (child.pid === undefined) throw new Error('could not start /bin/sh for -c');
  return {
    child,
    pid: child.pid,
    release: () => gate.end('\n'),
    exited,
  };
}
