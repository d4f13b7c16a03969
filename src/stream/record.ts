/**
 * Decoding one binary record (the payload of a ring-buffer data event) with its
 * EventFormat: fields at their offsets, unaligned, with their signedness;
 * `__data_loc`/`__rel_loc` dynamic data; arrays; the probe's own `__probe_*`
 * fields. Decoders are compiled once per format and reused.
 */
import type { EventFormat, FieldFormat } from './format.js';
import type { FieldValue } from './types.js';
import { bytesToString, intValue } from './values.js';

/** Where the record sits: `bytes` and `view` cover the whole page, the record starts at `start`. */
export interface RecordSource {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly start: number;
  readonly length: number;
  readonly le: boolean;
}

type Reader = (src: RecordSource) => FieldValue;

export interface DecodedRecord {
  readonly pid: number;
  readonly ip: bigint | null;
  readonly func: bigint | null;
  readonly retIp: bigint | null;
  readonly fields: Record<string, FieldValue>;
}

export class RecordError extends Error {}

export interface RecordDecoder {
  readonly format: EventFormat;
  /** Bytes the fixed part needs; shorter records are corrupt. */
  readonly minLength: number;
  decode(src: RecordSource): DecodedRecord;
}

const FAULT = Object.freeze({ fault: true as const });

function scalarReader(
  size: number,
  signed: boolean,
): (v: DataView, at: number, le: boolean) => bigint | number {
  switch (size) {
    case 1:
      return signed ? (v, at) => v.getInt8(at) : (v, at) => v.getUint8(at);
    case 2:
      return signed ? (v, at, le) => v.getInt16(at, le) : (v, at, le) => v.getUint16(at, le);
    case 4:
      return signed ? (v, at, le) => v.getInt32(at, le) : (v, at, le) => v.getUint32(at, le);
    case 8:
      return signed ? (v, at, le) => v.getBigInt64(at, le) : (v, at, le) => v.getBigUint64(at, le);
    default:
      return (v, at) => v.getUint8(at);
  }
}

function isIntSize(n: number): boolean {
  return n === 1 || n === 2 || n === 4 || n === 8;
}

type ElementsReader = (src: RecordSource, at: number, count: number) => FieldValue[];

/** A reader of element runs: values of `size` bytes, or single bytes when the size is odd. */
function elementsReader(size: number, signed: boolean): ElementsReader {
  const step = isIntSize(size) ? size : 1;
  const read = scalarReader(step, signed);
  return (src, at, count) => {
    const out: FieldValue[] = new Array(count);
    for (let i = 0; i < count; i++) out[i] = read(src.view, at + i * step, src.le);
    return out;
  };
}

function dynamicReader(f: FieldFormat, locAt: number): (src: RecordSource) => FieldValue {
  const es = f.elementSize > 0 ? f.elementSize : 1;
  const elements = elementsReader(es, f.signed);
  const step = isIntSize(es) ? es : 1;
  return (src) => {
    const loc = src.view.getUint32(src.start + locAt, src.le);
    const len = loc >>> 16;
    let off = loc & 0xffff;
    if (f.isRelLoc) off += locAt + 4;
    if (len === 0) return f.isString ? FAULT : [];
    if (off + len > src.length)
      throw new RecordError(
        `field ${f.name}: dynamic data ${off}+${len} past the record (${src.length} bytes)`,
      );
    const at = src.start + off;
    if (f.isString) return bytesToString(src.bytes, at, at + len);
    return elements(src, at, Math.floor(len / step));
  };
}

function fieldReader(f: FieldFormat): Reader {
  const off = f.offset;
  if (f.isDataLoc || f.isRelLoc) {
    if (f.arrayLength !== null) {
      const one = Array.from({ length: f.arrayLength }, (_, i) => dynamicReader(f, off + i * 4));
      return (src) => one.map((r) => r(src));
    }
    return dynamicReader(f, off);
  }
  if (f.isString) {
    return (src) => bytesToString(src.bytes, src.start + off, src.start + off + f.size);
  }
  if (f.arrayLength !== null) {
    const es = f.elementSize;
    const n = isIntSize(es) ? f.arrayLength : f.size;
    const elements = elementsReader(es, f.signed);
    return (src) => elements(src, src.start + off, n);
  }
  if (!isIntSize(f.size)) {
    const bytes = elementsReader(1, false);
    return (src) => bytes(src, src.start + off, f.size);
  }
  const read = scalarReader(f.size, f.signed);
  const narrow = f.narrow;
  if (narrow)
    return (src) =>
      intValue(BigInt(read(src.view, src.start + off, src.le)), narrow.size, narrow.signed);
  return (src) => read(src.view, src.start + off, src.le);
}

function u64Reader(f: FieldFormat | undefined): ((src: RecordSource) => bigint) | null {
  if (!f) return null;
  const off = f.offset;
  if (f.size === 8) return (src) => src.view.getBigUint64(src.start + off, src.le);
  if (f.size === 4) return (src) => BigInt(src.view.getUint32(src.start + off, src.le));
  return null;
}

const PROBE_FIELDS = new Set(['__probe_ip', '__probe_func', '__probe_ret_ip']);

export function compileRecordDecoder(format: EventFormat): RecordDecoder {
  const own = format.fields.filter((f) => !PROBE_FIELDS.has(f.name));
  const names = own.map((f) => f.name);
  const readers = own.map(fieldReader);
  const pidField = format.commonFields.find((f) => f.name === 'common_pid');
  const pidOff = pidField?.offset ?? 4;
  const ip = u64Reader(format.fields.find((f) => f.name === '__probe_ip'));
  const func = u64Reader(format.fields.find((f) => f.name === '__probe_func'));
  const retIp = u64Reader(format.fields.find((f) => f.name === '__probe_ret_ip'));
  let minLength = pidOff + 4;
  for (const f of [...format.commonFields, ...format.fields])
    minLength = Math.max(minLength, f.offset + f.size);
  const n = names.length;
  return {
    format,
    minLength,
    decode(src: RecordSource): DecodedRecord {
      if (src.length < minLength)
        throw new RecordError(
          `record of ${src.length} bytes is shorter than the ${minLength} its format needs`,
        );
      const fields: Record<string, FieldValue> = {};
      for (let i = 0; i < n; i++) fields[names[i]!] = readers[i]!(src);
      return {
        pid: src.view.getInt32(src.start + pidOff, src.le),
        ip: ip ? ip(src) : null,
        func: func ? func(src) : null,
        retIp: retIp ? retIp(src) : null,
        fields,
      };
    },
  };
}
