/**
 * Where the counting tools count: in the kernel with generated BPF programs
 * (the library's countCalls, latencyHistogram, valueCounts, valueHistogram),
 * or in user space from tracefs events. `--backend auto` (the default) takes
 * BPF when it is allowed here and the probes can run there, and says why not
 * otherwise. The BPF side of a run: the ready line, -d, -i, Ctrl-C, a closed
 * stdout, and the closing summary, shaped like the tracefs side's.
 */
import { type Aggregation, ProbekitError, UnsupportedError, whyNoBpf } from '../../index.js';
import { usageError } from './options.js';
import { beginRun, type DriveOptions, type ToolIO } from './run.js';

export type BackendName = 'bpf' | 'tracefs' | 'auto';

export const BACKEND_OPTION = { backend: { type: 'string' } } as const;

export function parseBackend(tool: string, value: unknown): BackendName {
  const v = value ?? 'auto';
  if (v === 'bpf' || v === 'tracefs' || v === 'auto') return v;
  throw usageError(tool, `--backend is bpf, tracefs or auto, not '${String(v)}'`);
}

export interface Started<T> {
  /** The aggregation when BPF runs it, else null (use tracefs). */
  readonly agg: T | null;
  /** Why auto did not pick BPF. */
  readonly reason: string | null;
}

/**
 * Starts the in-kernel aggregation when the backend allows: 'bpf' fails when it
 * cannot run, 'auto' falls back to tracefs (with the reason). Usage mistakes
 * (bad probes, nothing matching) are thrown either way.
 */
export async function startBpf<T>(
  wanted: BackendName,
  start: () => Promise<T>,
): Promise<Started<T>> {
  if (wanted === 'tracefs') return { agg: null, reason: null };
  const why = whyNoBpf();
  if (why !== null) {
    if (wanted === 'bpf')
      throw new UnsupportedError('bpf', `in-kernel counting cannot run here: ${why}`, {
        hint: 'run as root, or use --backend tracefs',
      });
    return { agg: null, reason: why };
  }
  try {
    return { agg: await start(), reason: null };
  } catch (e) {
    if (wanted === 'bpf' || !isBpfLimit(e)) throw e;
    return { agg: null, reason: e.message };
  }
}

/**
 * An error of the BPF side (a probe or argument it cannot run, the verifier, a
 * bpf() or perf syscall): auto falls back to tracefs. Anything else (a bad
 * probe, a missing function, no kprobes) would fail on tracefs too.
 */
function isBpfLimit(e: unknown): e is ProbekitError {
  if (!(e instanceof ProbekitError)) return false;
  if (e instanceof UnsupportedError) return e.feature.startsWith('bpf');
  return e.code.startsWith('E_BPF');
}

/** The line saying where the counting happens (stderr). */
export function announceBackend(
  io: ToolIO,
  tool: string,
  backend: 'bpf' | 'tracefs',
  reason: string | null,
): void {
  io.stderr.write(
    backend === 'bpf'
      ? `probekit ${tool}: counting in the kernel (BPF)\n`
      : `probekit ${tool}: counting in user space (tracefs)${reason ? `; BPF not used: ${reason}` : ''}\n`,
  );
}

export type BpfDriveOptions = Omit<DriveOptions, 'json'>;

/**
 * Waits while the kernel counts: until Ctrl-C (the first SIGINT stops, a second
 * one ends the process at once), -d, or a closed stdout; calls onInterval every
 * -i seconds.
 */
export async function driveBpf(
  agg: Aggregation,
  options: BpfDriveOptions,
): Promise<{ readonly pipeClosed: boolean }> {
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let interrupted = false;
  const onSigint = (): void => {
    if (interrupted) {
      // A second Ctrl-C: die now; the kernel releases every program with our fds.
      process.off('SIGINT', onSigint);
      process.kill(process.pid, 'SIGINT');
      return;
    }
    interrupted = true;
    stop();
  };
  process.on('SIGINT', onSigint);
  const probeLines = agg.prepared.plan.probes.map(
    (p, i) => `${p.spec.text} → ${agg.attached[i] ?? '?'}`,
  );
  const { pipe, end } = beginRun(options, agg.prepared, probeLines, () => stop());
  // Nothing else keeps the event loop alive while the kernel counts (signal handlers do not).
  const keepAlive = setInterval(() => {}, 1 << 30);
  try {
    await stopped;
  } finally {
    end();
    clearInterval(keepAlive);
    process.off('SIGINT', onSigint);
  }
  setTimeout(() => pipe.dispose(), 1000).unref();
  return { pipeClosed: pipe.closed };
}

/** Releases the programs and prints the summary (JSON and stderr) like the tracefs side; the exit code. */
export function finishBpf(
  agg: Aggregation,
  options: { readonly tool: string; readonly io: ToolIO; readonly json: boolean },
  driven: { readonly pipeClosed: boolean },
  events: number,
  extra: Record<string, unknown> = {},
): number {
  const lost = agg.dropped();
  const programs = agg.programs;
  agg.close();
  const { io } = options;
  if (options.json && !driven.pipeClosed) {
    io.stdout.write(
      `${JSON.stringify({
        type: 'summary',
        backend: 'bpf',
        events,
        lost,
        decode_errors: 0,
        probes_removed: programs,
        leftovers: [],
        ...extra,
      })}\n`,
    );
  }
  io.stderr.write(
    `probekit ${options.tool}: ${events} events, ${lost} lost; ${programs} probes removed\n`,
  );
  return 0;
}
