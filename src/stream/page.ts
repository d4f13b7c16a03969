/**
 * Decoding whole `trace_pipe_raw` pages (kernel-interfaces.md §6): the page
 * header (timestamp, commit word with the missed-events bits), then the packed
 * event headers (data, padding, time extend, absolute time stamp), each data
 * record decoded with its format. Corrupt input gives DecodeErrorEvents; this
 * code never throws on page bytes and always moves forward.
 */
import { DEFAULT_EVENT_HEADER, type EventHeaderLayout, type PageLayout } from './header.js';
import { RecordError } from './record.js';
import type { FormatRegistry } from './registry.js';
import type { DecodeErrorEvent, LostEvent, StreamItem, TraceEvent } from './types.js';

export interface PageContext {
  readonly layout: PageLayout;
  readonly eventHeader?: EventHeaderLayout;
  readonly formats: FormatRegistry;
  readonly cpu: number;
  /** Byte order of the kernel; default little-endian. */
  readonly littleEndian?: boolean;
  /** Task names and process ids by thread id (e.g. from saved_cmdlines / saved_tgids). */
  readonly comm?: (pid: number) => string | undefined;
  readonly tgid?: (pid: number) => number | undefined;
}

const RB_MISSED_EVENTS = 0x80000000;
const RB_MISSED_STORED = 0x40000000;
const SIZE_MASK = 0x3fffffff;

/**
 * The low 32 bits of the page's commit field (size and missed-events flags).
 * `local_t` is 8 bytes on 64-bit kernels and the flags are sign-extended, so
 * only the low word is read: at the start little-endian, at the end big-endian.
 */
function commitWord(view: DataView, layout: PageLayout, le: boolean): number {
  const loAt = layout.commitOffset + (le || layout.commitSize === 4 ? 0 : layout.commitSize - 4);
  return view.getUint32(loAt, le);
}

/** Bytes of event data committed in a page (its commit field without the flag bits). */
export function pageCommitSize(bytes: Uint8Array, layout: PageLayout, le: boolean): number {
  return (
    commitWord(new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength), layout, le) &
    SIZE_MASK
  );
}
const TS_MSB = 0xf8n << 56n;
const TWO_59 = 1n << 59n;
/** Fold the running offset into the bigint base before it loses precision. */
const REL_LIMIT = 2 ** 52;

function decodeError(cpu: number, message: string): DecodeErrorEvent {
  return { type: 'decode-error', cpu, message };
}

/**
 * Decodes one page (header + data); `bytes` may be longer than the page (the rest
 * is ignored). Never throws: whatever the bytes, the result is a list of items.
 */
export function decodePage(
  bytes: Uint8Array,
  ctx: PageContext,
  out: StreamItem[] = [],
): StreamItem[] {
  try {
    return decodePageUnchecked(bytes, ctx, out);
  } catch (e) {
    out.push(decodeError(ctx.cpu, `page could not be decoded: ${String(e)}`));
    return out;
  }
}

function decodePageUnchecked(bytes: Uint8Array, ctx: PageContext, out: StreamItem[]): StreamItem[] {
  const { layout, cpu } = ctx;
  const le = ctx.littleEndian ?? true;
  const eh = ctx.eventHeader ?? DEFAULT_EVENT_HEADER;
  if (bytes.length < layout.dataOffset) {
    out.push(
      decodeError(
        cpu,
        `page of ${bytes.length} bytes is shorter than its ${layout.dataOffset}-byte header`,
      ),
    );
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const commit = commitWord(view, layout, le);
  const size = commit & SIZE_MASK;
  const dataStart = layout.dataOffset;
  const avail = Math.min(layout.dataSize, bytes.length - dataStart);
  if (size > avail) {
    out.push(decodeError(cpu, `page commit size ${size} is past the page's ${avail} data bytes`));
    return out;
  }
  if ((commit & RB_MISSED_EVENTS) !== 0) {
    let count = 0;
    if ((commit & RB_MISSED_STORED) !== 0 && size + layout.commitSize <= avail) {
      const at = dataStart + size;
      count = layout.commitSize === 8 ? Number(view.getBigUint64(at, le)) : view.getUint32(at, le);
    }
    const lost: LostEvent = { type: 'lost', cpu, count, source: 'page' };
    out.push(lost);
  }
  let base = view.getBigUint64(layout.timestampOffset, le);
  let rel = 0;
  const end = dataStart + size;
  const typeMask = (1 << eh.typeLenBits) - 1;
  const shift = eh.typeLenBits;
  const extendMul = 2 ** eh.timeDeltaBits;
  const { formats } = ctx;
  const src = { bytes, view, start: 0, length: 0, le };
  const commOf = ctx.comm;
  const tgidOf = ctx.tgid;
  let pos = dataStart;
  while (pos + 4 <= end) {
    const w = view.getUint32(pos, le);
    const typeLen = w & typeMask;
    const delta = w >>> shift;
    let payload: number;
    let length: number;
    if (typeLen >= 1 && typeLen <= eh.maxDataTypeLen) {
      payload = pos + 4;
      length = typeLen * 4;
      pos = payload + length;
    } else if (typeLen === 0) {
      if (pos + 8 > end) {
        out.push(decodeError(cpu, `event header at page offset ${pos - dataStart} is cut off`));
        return out;
      }
      const len = view.getUint32(pos + 4, le);
      if (len < 4 || len > size) {
        out.push(
          decodeError(cpu, `event length ${len} at page offset ${pos - dataStart} is impossible`),
        );
        return out;
      }
      payload = pos + 8;
      length = len - 4;
      pos += 4 + ((len + 3) & ~3);
    } else if (typeLen === eh.padding) {
      if (delta === 0) break;
      if (pos + 8 > end) break;
      const len = view.getUint32(pos + 4, le);
      pos += 4 + Math.max(4, (len + 3) & ~3);
      continue;
    } else if (typeLen === eh.timeExtend) {
      if (pos + 8 > end) {
        out.push(decodeError(cpu, `time extend at page offset ${pos - dataStart} is cut off`));
        return out;
      }
      rel += view.getUint32(pos + 4, le) * extendMul + delta;
      if (rel >= REL_LIMIT) {
        base += BigInt(rel);
        rel = 0;
      }
      pos += 8;
      continue;
    } else if (typeLen === eh.timeStamp) {
      if (pos + 8 > end) {
        out.push(decodeError(cpu, `time stamp at page offset ${pos - dataStart} is cut off`));
        return out;
      }
      let abs = BigInt(view.getUint32(pos + 4, le)) * BigInt(extendMul) + BigInt(delta);
      const cur = base + BigInt(rel);
      if ((cur & TS_MSB) !== 0n) {
        abs |= cur & TS_MSB;
        if (abs < cur) abs += TWO_59;
      }
      base = abs;
      rel = 0;
      pos += 8;
      continue;
    } else {
      out.push(
        decodeError(cpu, `unknown event type_len ${typeLen} at page offset ${pos - dataStart}`),
      );
      return out;
    }
    if (pos > end) {
      out.push(
        decodeError(
          cpu,
          `event at page offset ${payload - 4 - dataStart} runs past the committed data`,
        ),
      );
      return out;
    }
    rel += delta;
    if (length < 8) {
      out.push(decodeError(cpu, `record of ${length} bytes is too short`));
      continue;
    }
    const id = view.getUint16(payload, le);
    const dec = formats.decoder(id);
    if (!dec) {
      out.push(decodeError(cpu, `unknown event id ${id}`));
      continue;
    }
    src.start = payload;
    src.length = length;
    try {
      const r = dec.decode(src);
      const f = dec.format;
      const ev: TraceEvent = {
        type: 'event',
        group: f.group,
        event: f.name,
        comm: commOf?.(r.pid) ?? '<...>',
        pid: r.pid,
        tgid: tgidOf?.(r.pid) ?? null,
        cpu,
        timestampNs: base + BigInt(rel),
        ip: r.ip,
        func: r.func,
        retIp: r.retIp,
        fields: r.fields,
      };
      out.push(ev);
    } catch (e) {
      const msg = e instanceof RecordError ? e.message : String(e);
      out.push(decodeError(cpu, `event ${dec.format.name}: ${msg}`));
    }
  }
  return out;
}
