/**
 * The life of one tool run over a TraceSession: a ready line on stderr, the
 * event loop, -d and -i timers, Ctrl-C (the stream ends, the tool prints what
 * it has), a closed stdout (`| head`), lost-event warnings, and the closing
 * summary. Returns the exit code: 1 when something could not be removed.
 */

import { watchClosedStdout } from '../../cli/closed-stdout.js';
import type { LabelledEvent, Prepared, TraceItem, TraceSession } from '../../index.js';

export interface ToolIO {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

export interface DriveOptions {
  readonly tool: string;
  readonly io: ToolIO;
  readonly json: boolean;
  /** Stop after this many seconds. */
  readonly durationS?: number | undefined;
  /** Call onInterval every this many seconds. */
  readonly intervalS?: number | undefined;
  readonly onInterval?: () => void;
  /** The ready line, e.g. `Tracing exec()s... Hit Ctrl-C to end.` */
  readonly banner: string;
  /** One-line notes about what this kernel allows, printed before the banner. */
  readonly notes?: readonly string[];
  readonly verbose?: boolean;
}

export interface Driven {
  /** stdout was closed by the reader: print nothing more. */
  readonly pipeClosed: boolean;
  readonly lost: number;
}

/** Writes a line to stdout (a closed pipe is handled by drive()). */
export function writer(io: ToolIO): (line: string) => void {
  return (line) => {
    io.stdout.write(`${line}\n`);
  };
}

export function note(io: ToolIO, tool: string, text: string): void {
  io.stderr.write(`probekit ${tool}: note: ${text}\n`);
}

/** A run under way: the stdout watch, and what stops its timers. */
export interface RunFrame {
  readonly pipe: ReturnType<typeof watchClosedStdout>;
  /** Clears the -d and -i timers. */
  end(): void;
}

/**
 * What every run does before it waits (either backend): watch stdout for a
 * closed pipe, print the notes (and, with -v, a line per probe and the
 * planner's notes), the mount line and the banner, and start the -d and -i
 * timers. `stop` ends the run.
 */
export function beginRun(
  options: Omit<DriveOptions, 'json'>,
  prepared: Prepared,
  probeLines: readonly string[],
  stop: () => void,
): RunFrame {
  const { io, tool } = options;
  const pipe = watchClosedStdout(io.stdout, stop);
  for (const n of options.notes ?? []) note(io, tool, n);
  if (options.verbose) {
    for (const line of probeLines) io.stderr.write(`probekit ${tool}: probe ${line}\n`);
    for (const n of prepared.notes) note(io, tool, n);
  }
  if (prepared.mounted) io.stderr.write(`probekit ${tool}: mounted tracefs at ${prepared.root}\n`);
  io.stderr.write(`${options.banner}\n`);
  const timer = options.durationS === undefined ? null : setTimeout(stop, options.durationS * 1000);
  const ticker =
    options.intervalS === undefined || !options.onInterval
      ? null
      : setInterval(() => {
          if (!pipe.closed) options.onInterval?.();
        }, options.intervalS * 1000);
  return {
    pipe,
    end: () => {
      if (timer) clearTimeout(timer);
      if (ticker) clearInterval(ticker);
    },
  };
}

/** Runs the event loop until Ctrl-C, -d, the stream's end or a closed stdout. */
export async function drive(
  session: TraceSession,
  options: DriveOptions,
  onEvent: (ev: LabelledEvent) => void,
): Promise<Driven> {
  const { io, tool } = options;
  let lost = 0;
  let warned = false;
  const probeLines = session.plan.probes.map(
    (p) =>
      `${p.spec.text}${p.definition ? ` → ${p.definition}` : ''}${p.filter ? ` (filter: ${p.filter})` : ''}`,
  );
  const { pipe, end } = beginRun(options, session.prepared, probeLines, () => session.stop());
  try {
    for await (const item of session.events() as AsyncGenerator<TraceItem>) {
      if (pipe.closed) break;
      if (item.type === 'event') {
        onEvent(item as LabelledEvent);
        continue;
      }
      if (item.type === 'lost') {
        // Warn once; the summary has the total.
        if (options.json) io.stdout.write(`${JSON.stringify(item)}\n`);
        else if (!warned)
          io.stderr.write(
            `probekit ${tool}: warning: events are being lost (CPU ${item.cpu}, ${item.source}); the results are incomplete: see the summary\n`,
          );
        warned = true;
        lost += item.count;
      } else if (options.verbose) {
        io.stderr.write(`probekit ${tool}: could not decode: ${item.message}\n`);
      }
    }
  } finally {
    end();
  }
  // Keep listening for EPIPE while the caller prints its last table.
  setTimeout(() => pipe.dispose(), 1000).unref();
  return { pipeClosed: pipe.closed, lost };
}

/** Closes the session and prints the summary; the exit code. */
export async function finish(
  session: TraceSession,
  options: Pick<DriveOptions, 'tool' | 'io' | 'json'>,
  driven: Driven,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const report = await session.close();
  const stats = session.stats;
  const { io } = options;
  if (options.json && !driven.pipeClosed) {
    io.stdout.write(
      `${JSON.stringify({
        type: 'summary',
        events: stats.events,
        lost: stats.lost,
        decode_errors: stats.decodeErrors,
        probes_removed: report.probesRemoved,
        leftovers: report.leftovers,
        ...extra,
      })}\n`,
    );
  }
  io.stderr.write(
    `probekit ${options.tool}: ${stats.events} events, ${stats.lost} lost${stats.decodeErrors ? `, ${stats.decodeErrors} undecodable` : ''}; ${report.probesRemoved} probes removed${report.leftovers.length ? `; could not remove: ${report.leftovers.join(', ')}` : ''}\n`,
  );
  return report.leftovers.length > 0 ? 1 : 0;
}

/** Seconds since `startNs` (the trace clock is CLOCK_MONOTONIC, like process.hrtime). */
export function relativeSeconds(ns: bigint, startNs: bigint): string {
  const d = ns - startNs;
  const neg = d < 0n;
  const us = (neg ? -d : d) / 1000n;
  return `${neg ? '-' : ''}${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
}

/** The wall clock as HH:MM:SS, for interval headers. */
export function clockTime(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}
