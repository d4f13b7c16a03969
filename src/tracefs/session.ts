/**
 * A Session owns everything one run creates in tracefs: its instance, the
 * event definitions in its group, enable bits, filters and pid filters, and
 * the open pipe fds. It always undoes what it did: closeSync() is idempotent
 * and registered with the process-wide cleanup registry from the first write.
 */
import { join } from 'node:path';
import { KernelError } from '../errors.js';
import type { PlannedProbe, ProbePlan } from '../plan/types.js';
import type { LostEvent, StreamItem } from '../stream/types.js';
import { registerCleanup } from './cleanup-registry.js';
import { defineEvent, listDynamicEvents, removeEvent } from './dynevents.js';
import { Instance } from './instance.js';
import { PipeReader } from './pipe-reader.js';
import { type CpuStats, readPerCpuStats } from './stats.js';

/** Turns the bytes of the instance's pipe(s) into typed items. */
export interface PipeDecoder {
  /** Which files to read: the instance's text `trace_pipe`, or per-CPU `trace_pipe_raw`. */
  readonly mode: 'text' | 'raw';
  /** Bytes per read (a page for raw). */
  readonly chunkSize: number;
  /** Whether a chunk read shows the writer's current page (not yet full); see PipeReaderOptions. */
  caughtUp?(chunk: Buffer): boolean;
  push(chunk: Buffer, cpu: number | null): StreamItem[];
  /** Called when reading ends: whatever is buffered. */
  flush(): StreamItem[];
  /** Puts the items of one polling round (from every CPU) in order; absent when they already are. */
  order?(items: StreamItem[]): StreamItem[];
}

export interface SessionOptions {
  /** Pids (all threads) to trace; children follow when followChildren. */
  readonly pids?: readonly number[];
  readonly followChildren?: boolean;
  /** Per-CPU buffer size of the instance, KiB. */
  readonly bufferKb?: number;
  /** trace_clock of the instance; `mono` by default so timestamps match clock_gettime(CLOCK_MONOTONIC). */
  readonly clock?: string;
  /** Called on the first SIGINT instead of closing at once (the owner stops, drains and closes). */
  readonly softStop?: () => void;
}

export interface CloseReport {
  readonly probesRemoved: number;
  readonly instanceRemoved: boolean;
  /** What could not be removed, with why; empty when everything went. */
  readonly leftovers: readonly string[];
  readonly lost: readonly LostEvent[];
}

/** Most bytes of pages read ahead of decoding, over all CPUs (beyond it the kernel's buffer holds them). */
const READ_AHEAD_BYTES = 32 << 20;
/**
 * Chunks decoded per CPU per round. Small rounds keep few decoded objects alive
 * at once: 16 pages (~3,000 small events per CPU) peaked at 112 MB RSS where 64 took 173 MB.
 */
const PAGES_PER_ROUND = 16;
/** Items handed to the consumer between two read-aheads. */
const TOP_UP_EVERY = 1024;
/** Longest pause between polls of an empty buffer, ms: well under the time a busy CPU takes to fill a default 1.4 MB buffer. */
const MAX_IDLE_MS = 20;

export class Session {
  readonly root: string;
  readonly plan: ProbePlan;
  readonly name: string;
  private instance: Instance | null = null;
  private readonly defined: PlannedProbe[] = [];
  private readers: { reader: PipeReader; cpu: number | null }[] = [];
  private unregister: (() => void) | null = null;
  private report: CloseReport | null = null;
  private statsAtStart: Map<number, CpuStats> = new Map();

  private constructor(root: string, plan: ProbePlan) {
    this.root = root;
    this.plan = plan;
    this.name = plan.group;
  }

  /** Applies a plan: instance, definitions, filters, pids, enable. Undoes everything on failure. */
  static start(root: string, plan: ProbePlan, options: SessionOptions = {}): Session {
    const s = new Session(root, plan);
    s.unregister = registerCleanup(() => s.closeSync(), options.softStop);
    try {
      s.apply(options);
    } catch (e) {
      s.closeSync();
      throw e;
    }
    return s;
  }

  get instancePath(): string {
    return join(this.root, 'instances', this.name);
  }

  private apply(options: SessionOptions): void {
    const inst = Instance.create(this.root, this.name);
    this.instance = inst;
    if (inst.has('options/record-tgid')) inst.setOption('record-tgid', true);
    const clock = options.clock ?? 'mono';
    if (
      (inst.read('trace_clock') ?? '').split(/\s+/).some((c) => c.replace(/[[\]]/g, '') === clock)
    ) {
      inst.write('trace_clock', clock);
    }
    if (options.bufferKb !== undefined)
      inst.write('buffer_size_kb', String(Math.ceil(options.bufferKb)));
    for (const probe of this.plan.probes) {
      if (probe.definition === null || probe.file === null) continue;
      defineEvent(this.root, probe.file, probe.definition);
      this.defined.push(probe);
    }
    for (const probe of this.plan.probes) {
      if (!inst.has(join('events', probe.group, probe.event))) {
        throw new KernelError(
          'E_NO_SUCH_EVENT',
          `the event ${probe.group}/${probe.event} does not exist in tracefs`,
          {
            hint:
              probe.definition === null
                ? "list tracepoints with 'probekit list t:GROUP:*'"
                : undefined,
          },
        );
      }
      if (probe.filter) inst.setFilter(probe.group, probe.event, probe.filter);
    }
    if (options.pids && options.pids.length > 0)
      inst.setPids(options.pids, options.followChildren ?? true);
    for (const probe of this.plan.probes) inst.enable(probe.group, probe.event, true);
    this.statsAtStart = new Map(inst.cpus().map((cpu) => [cpu, readPerCpuStats(inst, cpu)]));
    inst.write('tracing_on', '1');
  }

  /** Adds pids to the filter (for -c: the child is known only after start). */
  setPids(pids: readonly number[], followChildren = true): void {
    this.instance?.setPids(pids, followChildren);
  }

  /**
   * Streams decoded items until stop()/closeSync(). Reading stops when the
   * signal aborts; whatever is left in the buffers is drained first.
   */
  async *items(decoder: PipeDecoder, signal?: AbortSignal): AsyncGenerator<StreamItem> {
    const inst = this.instance;
    if (!inst) return;
    const sources =
      decoder.mode === 'text'
        ? [{ path: inst.file('trace_pipe'), cpu: null }]
        : inst
            .cpus()
            .map((cpu) => ({ path: inst.file('per_cpu', `cpu${cpu}`, 'trace_pipe_raw'), cpu }));
    this.readers = sources.map((s) => ({
      reader: new PipeReader(s.path, {
        chunkSize: decoder.chunkSize,
        caughtUp: decoder.caughtUp?.bind(decoder),
      }),
      cpu: s.cpu,
    }));
    // Pages are read ahead of decoding (up to READ_AHEAD_BYTES over all CPUs:
    // usually one CPU is the busy one), and again every TOP_UP_EVERY items
    // handed out, so that the kernel's buffer is emptied even while the
    // consumer is busy with earlier events.
    const topUp = (): void => {
      let room = READ_AHEAD_BYTES;
      for (const { reader } of this.readers) room -= reader.queued;
      for (const { reader } of this.readers) {
        if (room < decoder.chunkSize) break;
        room -= reader.fill(reader.queued + room);
      }
    };
    /** Lost events the stream itself reported, per CPU. */
    const reported = new Map<number, number>();
    const note = (item: StreamItem): StreamItem => {
      if (item.type === 'lost') reported.set(item.cpu, (reported.get(item.cpu) ?? 0) + item.count);
      return item;
    };
    let idle = 1;
    while (
      !signal?.aborted &&
      this.readers.length > 0 &&
      this.readers.every((r) => r.reader.open)
    ) {
      topUp();
      const round: StreamItem[] = [];
      let chunks = 0;
      for (const { reader, cpu } of this.readers) {
        for (const chunk of reader.take(PAGES_PER_ROUND)) {
          chunks++;
          for (const item of decoder.push(chunk, cpu)) round.push(item);
        }
      }
      const got = chunks > 0;
      if (got) {
        const ordered = decoder.order ? decoder.order(round) : round;
        for (let i = 0; i < ordered.length; i++) {
          yield note(ordered[i]!);
          if (i % TOP_UP_EVERY === TOP_UP_EVERY - 1) topUp();
        }
        idle = 1;
        // Caught up (about a chunk per CPU): let the writer fill its pages a little.
        if (chunks <= this.readers.length) await sleepUnlessAborted(1, signal);
      } else {
        await sleepUnlessAborted(idle, signal);
        idle = Math.min(MAX_IDLE_MS, idle * 2);
      }
    }
    // Drain what was read ahead and what is still in the kernel's buffer before finishing.
    for (const { reader, cpu } of this.readers) {
      for (const chunk of [...reader.take(), ...reader.drain()]) {
        for (const item of decoder.push(chunk, cpu)) yield note(item);
      }
    }
    for (const item of decoder.flush()) yield note(item);
    // The kernel's counts, less what the stream already reported (trace_pipe LOST lines, page flags).
    for (const item of this.lostSinceStart()) {
      const count = item.count - (reported.get(item.cpu) ?? 0);
      if (count > 0) yield { ...item, count };
    }
  }

  /** Overruns and drops counted by the kernel since start, per CPU. */
  lostSinceStart(): LostEvent[] {
    const inst = this.instance;
    if (!inst) return [];
    const out: LostEvent[] = [];
    for (const cpu of inst.cpus()) {
      const now = readPerCpuStats(inst, cpu);
      const then = this.statsAtStart.get(cpu);
      const lost = now.overrun - (then?.overrun ?? 0) + (now.dropped - (then?.dropped ?? 0));
      if (lost > 0) out.push({ type: 'lost', cpu, count: lost, source: 'stats' });
    }
    return out;
  }

  /** Removes everything this session created. Safe to call many times, from signal handlers too. */
  closeSync(): CloseReport {
    if (this.report) return this.report;
    const leftovers: string[] = [];
    for (const { reader } of this.readers) {
      try {
        reader.close();
      } catch {
        // An fd that will not close is closed by the kernel at exit.
      }
    }
    this.readers = [];
    let lost: LostEvent[] = [];
    let instanceRemoved = this.instance === null;
    const inst = this.instance;
    if (inst) {
      try {
        lost = this.lostSinceStart();
        inst.write('tracing_on', '0');
        for (const p of this.plan.probes) {
          try {
            inst.enable(p.group, p.event, false);
          } catch {
            // Not created or already gone.
          }
        }
      } catch {
        // The instance may be half made; removing it is what matters.
      }
      instanceRemoved = inst.remove();
      if (!instanceRemoved) leftovers.push(`instance ${inst.name}: busy`);
    }
    let probesRemoved = 0;
    for (const p of this.defined) {
      if (p.file && removeEvent(this.root, p.file, p.group, p.event)) probesRemoved++;
    }
    // Whatever else the kernel lists in our group (a half-applied write) goes too.
    for (const ev of listDynamicEvents(this.root)) {
      if (ev.group !== this.name) continue;
      const file = this.defined[0]?.file ?? 'dynamic_events';
      if (!removeEvent(this.root, file, ev.group, ev.event))
        leftovers.push(`${ev.group}/${ev.event}: busy`);
    }
    this.report = { probesRemoved, instanceRemoved, leftovers, lost };
    this.unregister?.();
    this.unregister = null;
    return this.report;
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
