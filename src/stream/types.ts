/**
 * Typed events, the same for every decoder (trace_pipe text, trace_pipe_raw
 * pages, BPF buffers) and every backend. docs/events.md documents the JSON form.
 */

/** A probe string read that faulted: marked as such, never the text "(fault)". */
export interface FaultValue {
  readonly fault: true;
}

/**
 * A field value. Integers of 8 bytes (u64/s64/x64, pointers) are bigint; narrower
 * integers are number. Strings are unescaped text. Arrays hold their elements.
 */
export type FieldValue = bigint | number | string | FaultValue | readonly FieldValue[];

export interface TraceEvent {
  readonly type: 'event';
  /** tracefs group and event name (`probekit_123_ab12`, `p_do_sys_open_0`; `syscalls`, `sys_enter_openat`). */
  readonly group: string;
  readonly event: string;
  /** Task name, thread id (the kernel's pid) and process id (tgid; null when unknown). */
  readonly comm: string;
  readonly pid: number;
  readonly tgid: number | null;
  readonly cpu: number;
  /** Timestamp in nanoseconds of the instance's trace clock (text input has microsecond precision). */
  readonly timestampNs: bigint;
  /** Probe address for entry probes (`__probe_ip`), when present. */
  readonly ip: bigint | null;
  /** For return probes: the function (`__probe_func`) and the return site (`__probe_ret_ip`). */
  readonly func: bigint | null;
  readonly retIp: bigint | null;
  /** The event's own fields by name, common_* and __probe_* excluded. */
  readonly fields: Readonly<Record<string, FieldValue>>;
}

/** Lost events are reported, never silent. */
export interface LostEvent {
  readonly type: 'lost';
  readonly cpu: number;
  readonly count: number;
  /** Where the loss was seen: a page's missed-events flag, per-CPU stats, a trace_pipe LOST line, a BPF buffer. */
  readonly source: 'page' | 'stats' | 'pipe' | 'bpf';
}

/** A record that could not be decoded: counted and reported, the reader goes on. */
export interface DecodeErrorEvent {
  readonly type: 'decode-error';
  readonly cpu: number | null;
  readonly message: string;
}

export type StreamItem = TraceEvent | LostEvent | DecodeErrorEvent;

export function isFault(v: FieldValue | undefined): v is FaultValue {
  return (
    typeof v === 'object' && v !== null && !Array.isArray(v) && (v as FaultValue).fault === true
  );
}
