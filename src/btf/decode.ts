/**
 * Decode one type record into a `BtfType`. Every referenced type id and name
 * offset is checked, so a decoded type can be followed without further checks
 * on ids (loops are the caller's concern: see MAX_RESOLVE_DEPTH).
 */
import { btfCorrupt } from './errors.js';
import {
  BTF_INT_BOOL,
  BTF_INT_CHAR,
  BTF_INT_SIGNED,
  FUNC_LINKAGE,
  KIND_BY_NUMBER,
  VAR_LINKAGE,
} from './kinds.js';
import type { BtfMember, BtfParam, BtfType } from './types.js';

/** What the decoder needs from the container: raw reads, strings and id bounds. */
export interface DecodeContext {
  readonly view: DataView;
  readonly littleEndian: boolean;
  readonly source: string;
  /** One past the largest valid type id (including base types). */
  readonly nextId: number;
  /** The string at a name offset; throws E_BTF_BAD_STRING with `typeId` when out of range. */
  string(off: number, typeId: number): string;
}

export function decodeType(ctx: DecodeContext, id: number, pos: number): BtfType {
  const { view, littleEndian: le } = ctx;
  const u32 = (off: number) => view.getUint32(off, le);
  const s32 = (off: number) => view.getInt32(off, le);
  const bad = (message: string, offset = pos) =>
    btfCorrupt('E_BTF_BAD_TYPE', message, { typeId: id, offset, source: ctx.source });
  const ref = (t: number, what: string, offset: number) => {
    if (t >= ctx.nextId) {
      throw btfCorrupt(
        'E_BTF_BAD_TYPE_ID',
        `${what} refers to type id ${t}, but the largest id is ${ctx.nextId - 1}`,
        { typeId: id, offset, source: ctx.source },
      );
    }
    return t;
  };
  const str = (off: number) => ctx.string(off, id);

  const name = str(u32(pos));
  const info = u32(pos + 4);
  const sizeOrType = u32(pos + 8);
  const vlen = info & 0xffff;
  const kindFlag = info >>> 31 === 1;
  const kind = KIND_BY_NUMBER[(info >>> 24) & 0x1f];
  const body = pos + 12;

  switch (kind) {
    case 'INT': {
      const v = u32(body);
      const bits = v & 0xff;
      const bitOffset = (v >>> 16) & 0xff;
      const enc = (v >>> 24) & 0xf;
      if (sizeOrType < 1 || sizeOrType > 16 || bits === 0 || bitOffset + bits > sizeOrType * 8) {
        throw bad(`INT '${name}' has size ${sizeOrType}, ${bits} bits at bit ${bitOffset}`);
      }
      return {
        kind,
        id,
        name,
        size: sizeOrType,
        bits,
        bitOffset,
        signed: (enc & BTF_INT_SIGNED) !== 0,
        char: (enc & BTF_INT_CHAR) !== 0,
        bool: (enc & BTF_INT_BOOL) !== 0,
      };
    }
    case 'PTR':
    case 'TYPEDEF':
    case 'VOLATILE':
    case 'CONST':
    case 'RESTRICT':
    case 'TYPE_TAG':
      return { kind, id, name, type: ref(sizeOrType, kind, pos + 8) };
    case 'ARRAY':
      return {
        kind,
        id,
        name,
        type: ref(u32(body), 'ARRAY element', body),
        indexType: ref(u32(body + 4), 'ARRAY index', body + 4),
        nelems: u32(body + 8),
      };
    case 'STRUCT':
    case 'UNION': {
      const members: BtfMember[] = [];
      for (let i = 0; i < vlen; i++) {
        const m = body + i * 12;
        const raw = u32(m + 8);
        members.push({
          name: str(u32(m)),
          type: ref(u32(m + 4), `member ${i}`, m + 4),
          bitOffset: kindFlag ? raw & 0xffffff : raw,
          bitfieldSize: kindFlag ? raw >>> 24 : 0,
        });
      }
      return { kind, id, name, size: sizeOrType, bitfields: kindFlag, members };
    }
    case 'ENUM': {
      const values: { name: string; value: number }[] = [];
      for (let i = 0; i < vlen; i++) {
        const e = body + i * 8;
        values.push({ name: str(u32(e)), value: kindFlag ? s32(e + 4) : u32(e + 4) });
      }
      return { kind, id, name, size: sizeOrType, signed: kindFlag, values };
    }
    case 'ENUM64': {
      const values: { name: string; value: bigint }[] = [];
      for (let i = 0; i < vlen; i++) {
        const e = body + i * 12;
        const raw = (BigInt(u32(e + 8)) << 32n) | BigInt(u32(e + 4));
        values.push({ name: str(u32(e)), value: kindFlag ? BigInt.asIntN(64, raw) : raw });
      }
      return { kind, id, name, size: sizeOrType, signed: kindFlag, values };
    }
    case 'FWD':
      return { kind, id, name, union: kindFlag };
    case 'FUNC':
      return {
        kind,
        id,
        name,
        type: ref(sizeOrType, 'FUNC', pos + 8),
        linkage: FUNC_LINKAGE[vlen] ?? 'unknown',
      };
    case 'FUNC_PROTO': {
      const params: BtfParam[] = [];
      let variadic = false;
      for (let i = 0; i < vlen; i++) {
        const p = body + i * 8;
        const pname = u32(p);
        const ptype = u32(p + 4);
        if (pname === 0 && ptype === 0) {
          if (i !== vlen - 1) throw bad(`FUNC_PROTO parameter ${i} is void but not last`, p);
          variadic = true;
          break;
        }
        params.push({ name: str(pname), type: ref(ptype, `parameter ${i}`, p + 4) });
      }
      return {
        kind,
        id,
        name,
        returnType: ref(sizeOrType, 'FUNC_PROTO return', pos + 8),
        params,
        variadic,
      };
    }
    case 'VAR':
      return {
        kind,
        id,
        name,
        type: ref(sizeOrType, 'VAR', pos + 8),
        linkage: VAR_LINKAGE[u32(body)] ?? 'unknown',
      };
    case 'DATASEC': {
      const vars: { type: number; offset: number; size: number }[] = [];
      for (let i = 0; i < vlen; i++) {
        const v = body + i * 12;
        vars.push({
          type: ref(u32(v), `DATASEC entry ${i}`, v),
          offset: u32(v + 4),
          size: u32(v + 8),
        });
      }
      return { kind, id, name, size: sizeOrType, vars };
    }
    case 'FLOAT':
      return { kind, id, name, size: sizeOrType };
    case 'DECL_TAG': {
      const componentIdx = s32(body);
      if (componentIdx < -1) throw bad(`DECL_TAG component_idx ${componentIdx} is below -1`, body);
      return { kind, id, name, type: ref(sizeOrType, 'DECL_TAG', pos + 8), componentIdx };
    }
    case undefined:
      // The indexer already refuses unknown kinds; this keeps the switch total.
      throw btfCorrupt('E_BTF_UNKNOWN_KIND', `unknown kind ${(info >>> 24) & 0x1f}`, {
        typeId: id,
        offset: pos + 4,
        source: ctx.source,
      });
  }
}
