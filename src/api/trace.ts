/**
 * The library's main entry: `trace(specs, options)` puts probes into the
 * kernel and returns a TraceSession that streams typed events and always
 * removes what it created (close(), `await using`, process exit, signals).
 * The CLI's `probekit trace` and every ready-made tool use exactly this.
 */
import { readdirSync } from 'node:fs';
import { whyNoBpf } from '../bpf/availability.js';
import { ProbekitError, UnsupportedError, UsageError } from '../errors.js';
import type { LabelledEvent } from '../output/format-event.js';
import type { BpfProbePlan } from '../plan/bpf/types.js';
import type { ProbePlan } from '../plan/types.js';
import type { ProbeSpec } from '../spec/types.js';
import type { LostEvent, StreamItem } from '../stream/types.js';
import { type CloseReport, Session } from '../tracefs/session.js';
import { type SweepReport, sweepStale } from '../tracefs/sweep.js';
import { bpfPlanFor, type EventSource, startBpfSource } from './bpf-source.js';
import { type GatedCommand, startGated } from './command.js';
import { createDecoder, type DecodeMode } from './decoder.js';
import { type Prepared, prepare } from './prepare.js';

export interface TraceOptions {
  /** Trace only these processes (all their threads), and with followChildren their children. */
  readonly pids?: readonly number[];
  /** Follow children of traced processes (tracefs `event-fork`). Default true. */
  readonly followChildren?: boolean;
  /** Start this shell command, trace it and its children; the stream ends when it exits. */
  readonly command?: string;
  /** Where the command's stdio goes. Default 'inherit'. */
  readonly commandStdio?: 'inherit' | 'ignore';
  /** Aborting ends the stream (after draining what is buffered) and closes the session. */
  readonly signal?: AbortSignal;
  /** Per-CPU buffer of the session's instance, KiB. */
  readonly bufferKb?: number;
  /** How events are read: binary pages (`raw`), text (`text`), or `auto` (raw where readable). */
  readonly decode?: DecodeMode;
  /** tracefs root; found from /proc/mounts when absent. */
  readonly tracefs?: string;
  /** Sweep leftovers of dead probekit runs first. Default true. */
  readonly sweep?: boolean;
  /**
   * What the first Ctrl-C (SIGINT) does: 'close' removes everything at once and
   * lets the signal end the process as usual; 'stop' ends the event stream
   * (drained), and the session closes when the stream ends. Default 'close'.
   */
  readonly onInterrupt?: 'close' | 'stop';
  /**
   * Where probes run: 'tracefs' (dynamic events, every event copied to user
   * space), 'bpf' (programs probekit generates: filters run in the kernel), or
   * 'auto' (BPF when allowed and every probe can run there). Default 'tracefs'.
   */
  readonly backend?: Backend;
}

export type Backend = 'tracefs' | 'bpf' | 'auto';

/** The backend a run uses, and why when 'auto' did not pick BPF. */
export interface BackendChoice {
  readonly backend: 'tracefs' | 'bpf';
  /** The BPF plan (one program per probe), for the BPF backend. */
  readonly bpf: readonly BpfProbePlan[] | null;
  /** Why 'auto' fell back to tracefs. */
  readonly reason: string | null;
}

export type TraceItem = LabelledEvent | Exclude<StreamItem, { type: 'event' }>;

export class TraceSession implements AsyncDisposable {
  readonly prepared: Prepared;
  readonly swept: SweepReport;
  readonly command: GatedCommand | null;
  /** The backend in use, and why when auto fell back to tracefs. */
  readonly backend: BackendChoice;
  private readonly source: EventSource;
  private readonly stopper = new AbortController();
  private readonly labels: Map<string, string>;
  private closed: Promise<CloseReport> | null = null;
  private readonly counts = { events: 0, lost: 0, decodeErrors: 0 };
  private readonly selections: Map<string, readonly string[]>;
  /** Per event: fields whose negative values are errno codes (typed retval of a kernel function). */
  private readonly errnoFields: Map<string, readonly string[]>;

  /** @internal use trace() */
  constructor(
    prepared: Prepared,
    source: EventSource,
    backend: BackendChoice,
    swept: SweepReport,
    command: GatedCommand | null,
    options: TraceOptions,
  ) {
    this.prepared = prepared;
    this.source = source;
    this.backend = backend;
    this.swept = swept;
    this.command = command;
    this.labels = new Map(prepared.plan.probes.map((p) => [`${p.group}/${p.event}`, p.spec.text]));
    this.selections = selectedTracepointFields(prepared.plan);
    this.errnoFields = new Map(
      prepared.plan.probes.flatMap((p) => {
        const names = p.args.filter((a) => a.errno).map((a) => a.name);
        return names.length > 0 ? [[`${p.group}/${p.event}`, names] as const] : [];
      }),
    );
    options.signal?.addEventListener('abort', () => this.stop(), { once: true });
    if (options.signal?.aborted) this.stop();
    command?.exited.then(() => setTimeout(() => this.stop(), 20));
  }

  get plan(): ProbePlan {
    return this.prepared.plan;
  }

  /** The run's group and instance name (`probekit_<pid>_<random>`). */
  get name(): string {
    return this.source.name;
  }

  /** Event, lost and decode-error counts so far. */
  get stats(): { readonly events: number; readonly lost: number; readonly decodeErrors: number } {
    return { ...this.counts };
  }

  /** Ends the stream: events() drains what is buffered and returns. */
  stop(): void {
    this.stopper.abort();
  }

  /** The events, in order, until stop(), the signal, or the command's exit. Lost events are items too. */
  async *events(): AsyncGenerator<TraceItem> {
    try {
      for await (const item of this.source.items(this.stopper.signal)) {
        if (item.type === 'event') {
          this.counts.events++;
          const id = `${item.group}/${item.event}`;
          const only = this.selections.get(id);
          const fields = only
            ? Object.fromEntries(
                only.filter((n) => n in item.fields).map((n) => [n, item.fields[n]!]),
              )
            : item.fields;
          const errnoFields = this.errnoFields.get(id);
          // An explicit literal: in Node 20 a spread with overriding keys costs ~1.5 µs per event.
          const event: LabelledEvent = {
            type: 'event',
            group: item.group,
            event: item.event,
            comm: item.comm,
            pid: item.pid,
            tgid: item.tgid,
            cpu: item.cpu,
            timestampNs: item.timestampNs,
            ip: item.ip,
            func: item.func,
            retIp: item.retIp,
            fields,
            probe: this.labels.get(id) ?? `${item.group}:${item.event}`,
            errnoFields,
          };
          yield event;
        } else {
          if (item.type === 'lost') this.counts.lost += (item as LostEvent).count;
          else this.counts.decodeErrors++;
          yield item;
        }
      }
    } finally {
      this.closeSync();
    }
  }

  /** Removes everything the session created; resolves with what was removed (and anything that could not be). */
  close(): Promise<CloseReport> {
    this.closed ??= Promise.resolve(this.closeSync());
    return this.closed;
  }

  closeSync(): CloseReport {
    this.stop();
    return this.source.closeSync();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }
}

/** Threads of a process, for set_event_pid (which filters by thread id). */
export function threadsOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).map(Number).filter(Number.isInteger);
  } catch {
    throw new UsageError('E_NO_SUCH_PROCESS', `no process with pid ${pid}`, {
      hint: 'check the pid with ps',
    });
  }
}

export async function trace(
  specs: string | ProbeSpec | readonly (string | ProbeSpec)[],
  options: TraceOptions = {},
): Promise<TraceSession> {
  const list = Array.isArray(specs)
    ? (specs as readonly (string | ProbeSpec)[])
    : [specs as string | ProbeSpec];
  if (options.pids && options.command) {
    throw new UsageError('E_USAGE', 'give either pids (-p) or a command (-c), not both');
  }
  const pidThreads = options.pids ? options.pids.flatMap((p) => threadsOf(p)) : undefined;
  const prepared = await prepare(list, { tracefs: options.tracefs, pid: options.pids?.[0] });
  const swept =
    options.sweep === false
      ? { instancesRemoved: [], eventsRemoved: [], failed: [] }
      : sweepStale(prepared.root);
  const command =
    options.command !== undefined
      ? startGated(options.command, options.commandStdio ?? 'inherit')
      : null;
  const stopper = new AbortController();
  const softStop = options.onInterrupt === 'stop' ? () => stopper.abort() : undefined;
  let source: EventSource;
  let choice: BackendChoice;
  try {
    choice = chooseBackend(prepared.plan, options.backend ?? 'tracefs');
    if (choice.bpf) {
      source = startBpfSource(choice.bpf, {
        name: prepared.plan.group,
        pids: command ? [command.pid] : options.pids,
        followChildren: options.followChildren ?? true,
        ringBytes: options.bufferKb === undefined ? undefined : options.bufferKb * 1024,
        softStop,
      });
    } else {
      const session = Session.start(prepared.root, prepared.plan, {
        softStop,
        pids: command ? [command.pid] : pidThreads,
        followChildren: options.followChildren ?? true,
        bufferKb: options.bufferKb,
      });
      const decode = options.decode ?? 'auto';
      source = {
        backend: 'tracefs',
        name: session.name,
        items: (signal) => session.items(createDecoder(session, decode), signal),
        closeSync: () => session.closeSync(),
      };
    }
  } catch (e) {
    command?.child.kill('SIGKILL');
    throw e;
  }
  command?.release();
  return new TraceSession(prepared, source, choice, swept, command, {
    ...options,
    signal: anySignal(options.signal, stopper.signal),
  });
}

/** Tracepoint fields typed :string or :ustring: pointers read as text, which only BPF can do. */
function tracepointStrings(plan: ProbePlan): string[] {
  return plan.probes.flatMap((p) =>
    p.spec.target.kind === 'tracepoint'
      ? (p.spec.args ?? [])
          .filter((a) => a.type !== null)
          .map((a) => `${p.spec.text}: ${a.name}:${a.type?.text}`)
      : [],
  );
}

/** Picks the backend: BPF when asked, or for 'auto' when allowed and every probe can run there. */
export function chooseBackend(plan: ProbePlan, wanted: Backend): BackendChoice {
  if (wanted === 'tracefs') {
    const typed = tracepointStrings(plan);
    if (typed.length > 0) {
      throw new UnsupportedError(
        'bpf-backend',
        `reading a tracepoint's pointer field as text needs the BPF backend (${typed[0]})`,
        { hint: 'add --backend bpf (or auto); tracefs records only the pointer' },
      );
    }
    return { backend: 'tracefs', bpf: null, reason: null };
  }
  const why = whyNoBpf({ ringbuf: true });
  if (why !== null) {
    if (wanted === 'bpf' || tracepointStrings(plan).length > 0) {
      throw new UnsupportedError('bpf', `the BPF backend cannot run here: ${why}`, {
        hint: 'run as root, or use --backend tracefs',
      });
    }
    return { backend: 'tracefs', bpf: null, reason: why };
  }
  try {
    return { backend: 'bpf', bpf: bpfPlanFor(plan), reason: null };
  } catch (e) {
    if (wanted === 'bpf' || !(e instanceof ProbekitError) || tracepointStrings(plan).length > 0)
      throw e;
    return { backend: 'tracefs', bpf: null, reason: e.message };
  }
}

function anySignal(a: AbortSignal | undefined, b: AbortSignal): AbortSignal {
  return a ? AbortSignal.any([a, b]) : b;
}

/** For tracepoints given with an argument list, only those fields are shown. */
function selectedTracepointFields(plan: ProbePlan): Map<string, readonly string[]> {
  const out = new Map<string, readonly string[]>();
  for (const p of plan.probes) {
    if (p.spec.target.kind !== 'tracepoint' || p.spec.args === null || p.spec.allArgs) continue;
    out.set(
      `${p.group}/${p.event}`,
      p.spec.args.map((a) => a.name),
    );
  }
  return out;
}
