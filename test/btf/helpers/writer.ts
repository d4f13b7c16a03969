/**
 * A tiny BTF writer for fixtures: add types in id order, then `build()`.
 * Ids are assigned 1, 2, ... (or after the base's for split BTF); a type may
 * refer to an id that is added later (`w.nextId + 1`).
 */

export interface WriterOptions {
  readonly littleEndian?: boolean;
  /** For split BTF: the base's next type id and next string offset. */
  readonly base?: { readonly nextId: number; readonly nextStrOff: number };
}

export interface Built {
  readonly bytes: Uint8Array;
  readonly hdrLen: number;
  readonly typeStart: number;
  readonly typeLen: number;
  readonly strStart: number;
  readonly strLen: number;
  /** Byte offset of each type record (index 0 is the first type). */
  readonly typeOffsets: readonly number[];
}

export interface MemberSpec {
  readonly name: string;
  readonly type: number;
  /** Bit offset of the member. */
  readonly bits: number;
  /** Bitfield width (only with kindFlag). */
  readonly width?: number;
}

const KIND = {
  INT: 1,
  PTR: 2,
  ARRAY: 3,
  STRUCT: 4,
  UNION: 5,
  ENUM: 6,
  FWD: 7,
  TYPEDEF: 8,
  VOLATILE: 9,
  CONST: 10,
  RESTRICT: 11,
  FUNC: 12,
  FUNC_PROTO: 13,
  VAR: 14,
  DATASEC: 15,
  FLOAT: 16,
  DECL_TAG: 17,
  TYPE_TAG: 18,
  ENUM64: 19,
} as const;

export class BtfWriter {
  private readonly le: boolean;
  private readonly firstId: number;
  private readonly firstStrOff: number;
  private readonly records: number[][] = [];
  private readonly strings: string[] = [];
  private readonly strOffsets = new Map<string, number>();
  private strBytes = 0;

  constructor(options: WriterOptions = {}) {
    this.le = options.littleEndian ?? true;
    this.firstId = options.base?.nextId ?? 1;
    this.firstStrOff = options.base?.nextStrOff ?? 0;
    this.addString('');
  }

  get nextId(): number {
    return this.firstId + this.records.length;
  }

  /** The name offset for a string (added once). '' in split BTF is the base's offset 0. */
  str(s: string): number {
    if (s === '' && this.firstStrOff > 0) return 0;
    return this.addString(s);
  }

  private addString(s: string): number {
    const hit = this.strOffsets.get(s);
    if (hit !== undefined) return hit;
    const off = this.firstStrOff + this.strBytes;
    this.strings.push(s);
    this.strOffsets.set(s, off);
    this.strBytes += new TextEncoder().encode(s).length + 1;
    return off;
  }

  /** Any record: the common 12 bytes plus raw u32 words. */
  raw(
    nameOff: number,
    kind: number,
    vlen: number,
    kindFlag: boolean,
    sizeOrType: number,
    words: number[] = [],
  ): number {
    const info = ((kindFlag ? 1 : 0) * 0x80000000 + ((kind & 0x1f) << 24) + (vlen & 0xffff)) >>> 0;
    this.records.push([nameOff, info, sizeOrType, ...words]);
    return this.nextId - 1;
  }

  int(
    name: string,
    size: number,
    opts: { signed?: boolean; char?: boolean; bool?: boolean; bits?: number; offset?: number } = {},
  ): number {
    const enc = (opts.signed ? 1 : 0) | (opts.char ? 2 : 0) | (opts.bool ? 4 : 0);
    const v = ((enc << 24) | ((opts.offset ?? 0) << 16) | (opts.bits ?? size * 8)) >>> 0;
    return this.raw(this.str(name), KIND.INT, 0, false, size, [v]);
  }

  ptr(type: number): number {
    return this.raw(0, KIND.PTR, 0, false, type);
  }

  array(type: number, indexType: number, nelems: number): number {
    return this.raw(0, KIND.ARRAY, 0, false, 0, [type, indexType, nelems]);
  }

  private composite(
    kind: number,
    name: string,
    size: number,
    members: readonly MemberSpec[],
    kindFlag: boolean,
  ): number {
    const words: number[] = [];
    for (const m of members) {
      const off = kindFlag ? (((m.width ?? 0) << 24) | m.bits) >>> 0 : m.bits;
      words.push(this.str(m.name), m.type, off);
    }
    return this.raw(this.str(name), kind, members.length, kindFlag, size, words);
  }

  struct(name: string, size: number, members: readonly MemberSpec[], kindFlag = false): number {
    return this.composite(KIND.STRUCT, name, size, members, kindFlag);
  }

  union(name: string, size: number, members: readonly MemberSpec[], kindFlag = false): number {
    return this.composite(KIND.UNION, name, size, members, kindFlag);
  }

  enum(name: string, size: number, values: readonly [string, number][], signed = false): number {
    const words = values.flatMap(([n, v]) => [this.str(n), v >>> 0]);
    return this.raw(this.str(name), KIND.ENUM, values.length, signed, size, words);
  }

  enum64(name: string, size: number, values: readonly [string, bigint][], signed = false): number {
    const words = values.flatMap(([n, v]) => {
      const u = BigInt.asUintN(64, v);
      return [this.str(n), Number(u & 0xffffffffn), Number(u >> 32n)];
    });
    return this.raw(this.str(name), KIND.ENUM64, values.length, signed, size, words);
  }

  fwd(name: string, union = false): number {
    return this.raw(this.str(name), KIND.FWD, 0, union, 0);
  }

  typedef(name: string, type: number): number {
    return this.raw(this.str(name), KIND.TYPEDEF, 0, false, type);
  }

  volatile(type: number): number {
    return this.raw(0, KIND.VOLATILE, 0, false, type);
  }

  const(type: number): number {
    return this.raw(0, KIND.CONST, 0, false, type);
  }

  restrict(type: number): number {
    return this.raw(0, KIND.RESTRICT, 0, false, type);
  }

  typeTag(name: string, type: number): number {
    return this.raw(this.str(name), KIND.TYPE_TAG, 0, false, type);
  }

  func(name: string, proto: number, linkage = 1): number {
    return this.raw(this.str(name), KIND.FUNC, linkage, false, proto);
  }

  funcProto(ret: number, params: readonly [string, number][], variadic = false): number {
    const words = params.flatMap(([n, t]) => [this.str(n), t]);
    if (variadic) words.push(0, 0);
    return this.raw(0, KIND.FUNC_PROTO, params.length + (variadic ? 1 : 0), false, ret, words);
  }

  var(name: string, type: number, linkage = 1): number {
    return this.raw(this.str(name), KIND.VAR, 0, false, type, [linkage]);
  }

  datasec(name: string, size: number, vars: readonly [number, number, number][]): number {
    return this.raw(this.str(name), KIND.DATASEC, vars.length, false, size, vars.flat());
  }

  float(name: string, size: number): number {
    return this.raw(this.str(name), KIND.FLOAT, 0, false, size);
  }

  declTag(name: string, type: number, componentIdx = -1): number {
    return this.raw(this.str(name), KIND.DECL_TAG, 0, false, type, [componentIdx >>> 0]);
  }

  build(): Built {
    const hdrLen = 24;
    const typeLen = this.records.reduce((n, r) => n + r.length * 4, 0);
    const enc = new TextEncoder();
    const strLen = this.strBytes;
    const bytes = new Uint8Array(hdrLen + typeLen + strLen);
    const view = new DataView(bytes.buffer);
    view.setUint16(0, 0xeb9f, this.le);
    view.setUint8(2, 1);
    view.setUint8(3, 0);
    view.setUint32(4, hdrLen, this.le);
    view.setUint32(8, 0, this.le);
    view.setUint32(12, typeLen, this.le);
    view.setUint32(16, typeLen, this.le);
    view.setUint32(20, strLen, this.le);
    let pos = hdrLen;
    const typeOffsets: number[] = [];
    for (const r of this.records) {
      typeOffsets.push(pos);
      for (const w of r) {
        view.setUint32(pos, w >>> 0, this.le);
        pos += 4;
      }
    }
    for (const s of this.strings) {
      const b = enc.encode(s);
      bytes.set(b, pos);
      pos += b.length + 1;
    }
    return {
      bytes,
      hdrLen,
      typeStart: hdrLen,
      typeLen,
      strStart: hdrLen + typeLen,
      strLen,
      typeOffsets,
    };
  }
}
