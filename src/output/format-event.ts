/** One event as a text line or an NDJSON object; the field names are documented in docs/events.md. */
import type { StreamItem, TraceEvent } from '../stream/types.js';
import { errnoName } from './errno.js';
import { jsonValue, textValue } from './values.js';

/** An event with the probe it came from, as the user wrote it. */
export interface LabelledEvent extends TraceEvent {
  readonly probe: string;
  /**
   * Fields holding a kernel function's signed return value (from its BTF
   * prototype): -1..-4095 are negated errno codes, shown by name.
   */
  readonly errnoFields?: readonly string[];
}

/** The errno name of a field listed in `errnoFields`, or null. */
function fieldErrno(e: LabelledEvent, name: string): string | null {
  if (!e.errnoFields?.includes(name)) return null;
  const v = e.fields[name];
  return typeof v === 'number' || typeof v === 'bigint' ? errnoName(v) : null;
}

export function formatTimestamp(ns: bigint): string {
  const us = ns / 1000n;
  return `${us / 1_000_000n}.${(us % 1_000_000n).toString().padStart(6, '0')}`;
}

export const TEXT_HEADER = `${'TIME(s)'.padEnd(16)} ${'COMM'.padEnd(16)} ${'PID'.padStart(7)} ${'TID'.padStart(7)} ${'PROBE'.padEnd(20)} ARGS`;

export function textLine(e: LabelledEvent): string {
  const args = Object.entries(e.fields)
    .map(([k, v]) => {
      const errno = fieldErrno(e, k);
      return `${k}=${textValue(v)}${errno === null ? '' : ` ${errno}`}`;
    })
    .join(' ');
  const pid = e.tgid ?? e.pid;
  return `${formatTimestamp(e.timestampNs).padEnd(16)} ${e.comm.padEnd(16)} ${String(pid).padStart(7)} ${String(e.pid).padStart(7)} ${e.event.padEnd(20)} ${args}`.trimEnd();
}

export function jsonRecord(item: StreamItem | LabelledEvent): Record<string, unknown> {
  if (item.type !== 'event') return { ...item };
  const e = item as LabelledEvent;
  const out: Record<string, unknown> = {
    type: 'event',
    time_ns: jsonValue(e.timestampNs),
    probe: e.probe,
    group: e.group,
    event: e.event,
    comm: e.comm,
    pid: e.tgid ?? e.pid,
    tid: e.pid,
    cpu: e.cpu,
  };
  if (e.ip !== null) out['ip'] = `0x${e.ip.toString(16)}`;
  if (e.func !== null) out['func'] = `0x${e.func.toString(16)}`;
  if (e.retIp !== null) out['ret_ip'] = `0x${e.retIp.toString(16)}`;
  out['fields'] = Object.fromEntries(Object.entries(e.fields).map(([k, v]) => [k, jsonValue(v)]));
  for (const k of e.errnoFields ?? []) {
    const errno = fieldErrno(e, k);
    if (errno !== null) out[`${k}_errno`] = errno;
  }
  return out;
}

export function jsonLine(item: StreamItem | LabelledEvent | Record<string, unknown>): string {
  // jsonRecord has turned every bigint of an event into JSON already: no replacer needed.
  if ('type' in item && (item as StreamItem).type === 'event') {
    return JSON.stringify(jsonRecord(item as LabelledEvent));
  }
  return JSON.stringify(item, (_k, v) => (typeof v === 'bigint' ? jsonValue(v) : v));
}
