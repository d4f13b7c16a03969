/**
 * The BPF backend of a trace: one generated program per probe, all writing to
 * one BPF ring buffer; a map of traced processes (with a fork follower) for
 * -p and -c; drops counted per CPU. Every object is owned by file descriptors,
 * so close() — or the death of the process, even by kill -9 — removes them all.
 */
import { attach, progTypeFor } from '../bpf/attach.js';
import { u32, u64 } from '../bpf/codec.js';
import { onlineCpus } from '../bpf/cpus.js';
import { hasFeature } from '../bpf/features.js';
import { forkFollowerProgram, traceProgram } from '../bpf/gen/trace.js';
import { type BpfMap, createMap } from '../bpf/map.js';
import { Owner } from '../bpf/owner.js';
import { loadProgram, type Program } from '../bpf/prog.js';
import { createRingBuffer, type RecordSpan, type RingBuffer } from '../bpf/ringbuf.js';
import { tracepointFormat } from '../bpf/tracefs-path.js';
import { UnsupportedError } from '../errors.js';
import { planBpf } from '../plan/bpf/plan.js';
import type { BpfProbePlan } from '../plan/bpf/types.js';
import type { ProbePlan } from '../plan/types.js';
import { type FieldFormat, findField, parseFormat } from '../stream/format.js';
import type { LostEvent, StreamItem } from '../stream/types.js';
import { registerCleanup } from '../tracefs/cleanup-registry.js';
import type { CloseReport } from '../tracefs/session.js';
import { bpfRecordDecoder } from './bpf-record.js';

/** What a TraceSession reads from: the tracefs session or the BPF programs. */
export interface EventSource {
  readonly backend: 'tracefs' | 'bpf';
  /** The run's name (`probekit_<pid>_<random>`). */
  readonly name: string;
  items(signal: AbortSignal): AsyncIterable<StreamItem>;
  closeSync(): CloseReport;
}

const formats = new Map<string, readonly FieldFormat[] | null>();

function tracepointFields(group: string, event: string): readonly FieldFormat[] | null {
  const key = `${group}/${event}`;
  if (!formats.has(key)) {
    try {
      formats.set(key, parseFormat(tracepointFormat(group, event), group).fields);
    } catch {
      formats.set(key, null);
    }
  }
  return formats.get(key) ?? null;
}

/** The BPF plan of a run; throws an UnsupportedError for a probe the BPF backend cannot run. */
export function bpfPlanFor(plan: ProbePlan): BpfProbePlan[] {
  return planBpf(plan, { tracepointFields });
}

export interface BpfSourceOptions {
  readonly name: string;
  /** Trace only these processes (tgids) and, with followChildren, their children. */
  readonly pids?: readonly number[];
  readonly followChildren?: boolean;
  /** Ring buffer size, bytes (rounded up to a power of two). */
  readonly ringBytes?: number;
  readonly softStop?: () => void;
}

/** Bytes of records copied out of the ring ahead of decoding. */
const READ_AHEAD_BYTES = 64 << 20;
const EMPTY_SPAN: RecordSpan = { bytes: new Uint8Array(0), records: [] };
/** The most bytes left waiting in the ring before a record wakes the reader. */
const WAKE_BYTES = 256 << 10;
/** How long the reader sleeps when no wakeup comes: the longest a record waits below WAKE_BYTES. */
const POLL_MS = 50;
/** Records handed to the consumer between two polls of the ring. */
const YIELD_BATCH = 2048;

function powerOfTwo(n: number): number {
  let p = 4096;
  while (p < n) p *= 2;
  return p;
}

/** Load and attach the programs; load only when `attachPrograms` is false (for --dump). */
export function loadBpfPrograms(
  plans: readonly BpfProbePlan[],
  options: BpfSourceOptions,
  attachPrograms = true,
): { owner: Owner; ring: RingBuffer; drops: BpfMap<number, bigint>; programs: Program[] } {
  const owner = new Owner();
  try {
    const ring = owner.add(createRingBuffer('events', powerOfTwo(options.ringBytes ?? 8 << 20)));
    const drops = owner.add(
      createMap({ type: 'percpu_array', name: 'drops', key: u32, value: u64, maxEntries: 1 }),
    );
    let pidsFd: number | undefined;
    const programs: Program[] = [];
    if (options.pids) {
      const pids = owner.add(
        createMap({ type: 'hash', name: 'pids', key: u32, value: u32, maxEntries: 65536 }),
      );
      for (const p of options.pids) pids.update(p, 1);
      pidsFd = pids.fd;
      if (options.followChildren ?? true) {
        const child = findField(
          parseFormat(tracepointFormat('sched', 'sched_process_fork'), 'sched'),
          'child_pid',
        );
        if (!child)
          throw new UnsupportedError('bpf-backend', 'sched_process_fork has no child_pid');
        const prog = owner.add(
          loadProgram({
            type: 'tracepoint',
            name: 'fork',
            insns: forkFollowerProgram(pids.fd, child.offset),
          }),
        );
        programs.push(prog);
        if (attachPrograms)
          owner.add(
            attach(prog, { kind: 'tracepoint', group: 'sched', event: 'sched_process_fork' }),
          );
      }
    }
    // A wakeup per record costs the traced program at high rates; the reader polls anyway.
    const wakeBytes = Math.min(ring.size / 8, WAKE_BYTES);
    const sleepable =
      plans.some((p) => p.target.kind.startsWith('u')) && hasFeature('sleepable_uprobe');
    for (const p of plans) {
      const userProbe = p.target.kind === 'uprobe' || p.target.kind === 'uretprobe';
      const maps = {
        ringbufFd: ring.fd,
        dropsFd: drops.fd,
        ...(pidsFd === undefined ? {} : { pidsFd }),
      };
      const prog = owner.add(
        loadProgram({
          type: progTypeFor(p.target),
          name: `trace${p.index}`,
          insns: traceProgram(p, maps, { sleepable: userProbe && sleepable, wakeBytes }),
          sleepable: userProbe && sleepable,
        }),
      );
      programs.push(prog);
      if (attachPrograms) owner.add(attach(prog, p.target));
    }
    return { owner, ring, drops, programs };
  } catch (e) {
    owner.close();
    throw e;
  }
}

/** Start the BPF programs of a planned run; the returned source reads their records. */
export function startBpfSource(
  plans: readonly BpfProbePlan[],
  options: BpfSourceOptions,
): EventSource {
  const { owner, ring, drops } = loadBpfPrograms(plans, options);
  const decoder = bpfRecordDecoder(plans);
  const cpus = onlineCpus();
  const seenDrops = new Map<number, bigint>();
  let closed = false;
  let unregister: (() => void) | null = null;

  const newDrops = (): LostEvent[] => {
    const out: LostEvent[] = [];
    const perCpu = drops.lookupPerCpu(0) ?? [];
    perCpu.forEach((n, i) => {
      const cpu = cpus[i] ?? i;
      const before = seenDrops.get(cpu) ?? 0n;
      if (n > before) {
        out.push({ type: 'lost', cpu, count: Number(n - before), source: 'bpf' });
        seenDrops.set(cpu, n);
      }
    });
    return out;
  };

  const closeSync = (): CloseReport => {
    if (!closed) {
      closed = true;
      unregister?.();
      owner.close();
    }
    return { probesRemoved: plans.length, instanceRemoved: false, leftovers: [], lost: [] };
  };
  unregister = registerCleanup(closeSync, options.softStop);

  async function* items(signal: AbortSignal): AsyncGenerator<StreamItem> {
    // Records are copied out of the ring as soon as they are there (read-ahead),
    // so the kernel gets its space back while the consumer works through them.
    const spans: RecordSpan[] = [];
    let span = 0; // the span being handed out
    let rec = 0; // its next record (index into records, by pairs)
    let queuedBytes = 0;
    let lastDropCheck = 0;
    for (;;) {
      if (closed) return;
      const stopping = signal.aborted;
      while (queuedBytes < READ_AHEAD_BYTES) {
        const got = ring.take();
        if (got === null) break;
        if (got.records.length === 0) continue; // all discarded (filtered out)
        spans.push(got);
        queuedBytes += got.bytes.length;
      }
      const now = Date.now();
      if (stopping || now - lastDropCheck > 250) {
        lastDropCheck = now;
        for (const lost of newDrops()) yield lost;
      }
      if (span < spans.length) {
        for (let n = 0; n < YIELD_BATCH && span < spans.length; n++) {
          const s = spans[span] as RecordSpan;
          const off = s.records[rec] as number;
          yield decoder.decode(s.bytes.subarray(off, off + (s.records[rec + 1] as number)));
          rec += 2;
          if (rec >= s.records.length) {
            queuedBytes -= s.bytes.length;
            spans[span] = EMPTY_SPAN;
            span++;
            rec = 0;
          }
        }
        if (span === spans.length) {
          spans.length = 0;
          span = 0;
        } else if (span > 1024) {
          spans.splice(0, span);
          span = 0;
        }
        continue;
      }
      if (stopping) return;
      await ring.wait(POLL_MS);
    }
  }

  return { backend: 'bpf', name: options.name, items, closeSync };
}
