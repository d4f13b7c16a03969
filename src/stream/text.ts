/**
 * Decoding `trace` / `trace_pipe` text into StreamItems. Lines that do not parse
 * become DecodeErrorEvents; nothing here throws on input text.
 */
import type { EventFormat, FieldFormat } from './format.js';
import type { FormatRegistry } from './registry.js';
import { isIgnorableLine, type LinePrefix, parseLinePrefix, parseLostLine } from './text-line.js';
import { parseProbePrefix, splitPairs, typedValue } from './text-payload.js';
import type { FieldValue, StreamItem, TraceEvent } from './types.js';

export interface TextDecodeOptions {
  /** Formats to type payloads with, looked up by event name. */
  readonly formats?: FormatRegistry;
}

/** A text event may also carry the symbolic probe addresses a kprobe line prints. */
export interface TextTraceEvent extends TraceEvent {
  readonly symbols?: { readonly ip?: string; readonly func?: string; readonly retIp?: string };
}

const PROBE_FIELDS = new Set(['__probe_ip', '__probe_func', '__probe_ret_ip']);
const EVENT_REST = /^([^\s:()]+):(?: (.*))?$/s;
const SYS_ENTER = /^(sys_\w+)\((.*)\)\s*$/s;
const SYS_EXIT = /^(sys_\w+) -> (\S+)\s*$/;
const MAX_QUOTE = 160;

function quoteLine(line: string): string {
  return line.length > MAX_QUOTE ? `${line.slice(0, MAX_QUOTE)}...` : line;
}

function fieldMap(format: EventFormat | undefined): Map<string, FieldFormat> | null {
  if (!format) return null;
  return new Map(format.fields.filter((f) => !PROBE_FIELDS.has(f.name)).map((f) => [f.name, f]));
}

function makeEvent(
  p: LinePrefix,
  group: string,
  event: string,
  fields: Record<string, FieldValue>,
  probe: { ip?: bigint; func?: bigint; retIp?: bigint; symbols?: TextTraceEvent['symbols'] } = {},
): TextTraceEvent {
  const ev: TextTraceEvent = {
    type: 'event',
    group,
    event,
    comm: p.comm,
    pid: p.pid,
    tgid: p.tgid,
    cpu: p.cpu,
    timestampNs: p.timestampNs,
    ip: probe.ip ?? null,
    func: probe.func ?? null,
    retIp: probe.retIp ?? null,
    fields,
  };
  const s = probe.symbols;
  return s && (s.ip || s.func || s.retIp) ? { ...ev, symbols: s } : ev;
}

function syscallEvent(p: LinePrefix, formats: FormatRegistry | undefined): TraceEvent | null {
  const enter = SYS_ENTER.exec(p.rest);
  if (enter) {
    const event = `sys_enter_${enter[1]!.slice(4)}`;
    const map = fieldMap(formats?.byName(event));
    const fields: Record<string, FieldValue> = {};
    const args = (enter[2] ?? '').trim();
    if (args !== '') {
      for (const part of args.split(', ')) {
        const m = /^(\w+): (\S+)/.exec(part);
        if (!m) return null;
        fields[m[1]!] = typedValue(m[2]!, map?.get(m[1]!), true);
      }
    }
    return makeEvent(p, 'syscalls', event, fields);
  }
  const exit = SYS_EXIT.exec(p.rest);
  if (exit) {
    const event = `sys_exit_${exit[1]!.slice(4)}`;
    const map = fieldMap(formats?.byName(event));
    return makeEvent(p, 'syscalls', event, { ret: typedValue(exit[2]!, map?.get('ret'), true) });
  }
  return null;
}

function payloadEvent(p: LinePrefix, formats: FormatRegistry | undefined): TraceEvent | null {
  const m = EVENT_REST.exec(p.rest);
  if (!m) return null;
  const name = m[1]!;
  let payload = m[2] ?? '';
  const format = formats?.byName(name);
  const map = fieldMap(format);
  const isProbe = format
    ? format.fields.some((f) => PROBE_FIELDS.has(f.name))
    : payload.startsWith('(');
  let probe: Parameters<typeof makeEvent>[4] = {};
  if (isProbe) {
    const pre = parseProbePrefix(payload);
    if (pre) {
      probe = pre;
      payload = pre.rest;
    } else if (format) return null;
  }
  const fields: Record<string, FieldValue> = {};
  const names = map ? new Set(map.keys()) : null;
  for (const [k, v] of splitPairs(payload, names)) fields[k] = typedValue(v, map?.get(k));
  return makeEvent(p, format?.group ?? '', name, fields, probe);
}

/** Decodes one line; null for header, blank and stack-continuation lines. */
export function decodeTextLine(line: string, options: TextDecodeOptions = {}): StreamItem | null {
  try {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (isIgnorableLine(text)) return null;
    const lost = parseLostLine(text);
    if (lost) return { type: 'lost', cpu: lost.cpu, count: lost.count, source: 'pipe' };
    const p = parseLinePrefix(text);
    if (!p)
      return {
        type: 'decode-error',
        cpu: null,
        message: `cannot read the trace line prefix: ${quoteLine(text)}`,
      };
    const ev = syscallEvent(p, options.formats) ?? payloadEvent(p, options.formats);
    return (
      ev ?? {
        type: 'decode-error',
        cpu: p.cpu,
        message: `cannot read the event payload: ${quoteLine(text)}`,
      }
    );
  } catch (e) {
    return {
      type: 'decode-error',
      cpu: null,
      message: `cannot decode trace line (${String(e)}): ${quoteLine(line)}`,
    };
  }
}

/** Decodes every line of a whole text (e.g. a `trace` file). */
export function decodeText(text: string, options: TextDecodeOptions = {}): StreamItem[] {
  const out: StreamItem[] = [];
  for (const line of text.split('\n')) {
    const it = decodeTextLine(line, options);
    if (it) out.push(it);
  }
  return out;
}

/**
 * A streaming text decoder: feed chunks (strings or bytes, split anywhere, even
 * inside a UTF-8 sequence) and get the items of every completed line.
 */
export class TraceTextDecoder {
  readonly #options: TextDecodeOptions;
  readonly #utf8 = new globalThis.TextDecoder('utf-8');
  #pending = '';
  readonly stats = { lines: 0, events: 0, lost: 0, decodeErrors: 0 };

  constructor(options: TextDecodeOptions = {}) {
    this.#options = options;
  }

  push(chunk: string | Uint8Array): StreamItem[] {
    const text = typeof chunk === 'string' ? chunk : this.#utf8.decode(chunk, { stream: true });
    const all = this.#pending + text;
    const lines = all.split('\n');
    this.#pending = lines.pop() ?? '';
    return this.#lines(lines);
  }

  /** Decodes the last, unterminated line. */
  end(): StreamItem[] {
    const rest = this.#pending + this.#utf8.decode();
    this.#pending = '';
    return rest === '' ? [] : this.#lines([rest]);
  }

  #lines(lines: string[]): StreamItem[] {
    const out: StreamItem[] = [];
    for (const line of lines) {
      this.stats.lines++;
      const it = decodeTextLine(line, this.#options);
      if (!it) continue;
      if (it.type === 'event') this.stats.events++;
      else if (it.type === 'lost') this.stats.lost += it.count;
      else this.stats.decodeErrors++;
      out.push(it);
    }
    return out;
  }
}

export { TraceTextDecoder as TextDecoder };
