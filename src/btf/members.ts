/**
 * Member paths (`file->f_path.dentry->d_name.name`) turned into reads: each
 * `->` dereferences the pointer found so far, each `.` adds an offset. For a
 * tracefs fetch the result reads, innermost first, as
 * `+offset(+reads[n-1](... +reads[0](ROOT)))`, where ROOT is the root value
 * (a register holding a pointer). A STRUCT/UNION root is taken to be stored
 * at the root address.
 */
import { SpecError } from '../errors.js';
import type { Btf } from './btf.js';
import { typeName } from './cname.js';
import { btfCorrupt } from './errors.js';
import {
  completeComposite,
  isSigned,
  isUserPointer,
  resolved,
  type StringKind,
  sizeOf,
  stringKind,
  Walk,
} from './resolve.js';
import type { BtfComposite, BtfMember } from './types.js';

export interface MemberPathElement {
  readonly op: '->' | '.';
  readonly name: string;
}

/** One element of the path, for explain: where the member sits within its parent. */
export interface MemberStep {
  readonly op: '->' | '.';
  readonly name: string;
  /** Byte offset within the parent struct/union (through anonymous members). */
  readonly offset: number;
  readonly typeId: number;
  /** C text of the member's type. */
  readonly type: string;
  /** The parent's C type, e.g. `struct file`. */
  readonly parent: string;
}

export interface BitfieldAccess {
  /** Width in bits. */
  readonly width: number;
  /** Bit offset within the container value as loaded (from the least significant bit). */
  readonly bitOffset: number;
  /** Container size in bytes (1, 2, 4 or 8), read at `MemberAccess.offset`. */
  readonly containerSize: number;
  /** tracefs type `b<width>@<bit offset>/<container bits>`. */
  readonly tracefsType: string;
}

export interface MemberAccess {
  /** Offsets of the pointer reads made by each `->` after the first, in order. */
  readonly reads: readonly number[];
  /** Byte offset of the final member from the last pointer (the container's, for a bitfield). */
  readonly offset: number;
  /** Size in bytes of the final member (of the container, for a bitfield). */
  readonly size: number;
  readonly signed: boolean;
  readonly typeId: number;
  /** C text of the final member's type. */
  readonly type: string;
  readonly isPointer: boolean;
  readonly isUserPtr: boolean;
  /** 'pointer': `char *`, read the string through one more dereference; 'array': `char[N]` at that address. */
  readonly string: StringKind;
  readonly bitfield: BitfieldAccess | null;
  readonly steps: readonly MemberStep[];
}

/** A root given as "pointer to this struct", when BTF has no pointer type for it. */
export type MemberRoot = number | { readonly pointerTo: number };

interface Found {
  readonly member: BtfMember;
  /** Bit offset from the start of the searched struct. */
  readonly bitOffset: number;
}

/** Find a member by name, searching anonymous struct/union members too (C semantics). */
export function findMember(
  btf: Btf,
  compositeId: number,
  name: string,
  walk = new Walk(btf, compositeId, 'searching anonymous members'),
  depth = 0,
): Found | undefined {
  walk.enter(depth);
  const t = btf.type(compositeId) as BtfComposite;
  for (const m of t.members) {
    if (m.name === name) return { member: m, bitOffset: m.bitOffset };
  }
  for (const m of t.members) {
    if (m.name !== '') continue;
    const inner = completeComposite(btf, m.type);
    const k = btf.kindOf(inner);
    if (k !== 'STRUCT' && k !== 'UNION') continue;
    const found = findMember(btf, inner, name, walk, depth + 1);
    if (found) return { member: found.member, bitOffset: m.bitOffset + found.bitOffset };
  }
  return undefined;
}

/** Every member name reachable from a struct/union, anonymous members flattened. */
export function memberNames(
  btf: Btf,
  compositeId: number,
  walk = new Walk(btf, compositeId, 'listing members'),
  depth = 0,
): string[] {
  walk.enter(depth);
  const out: string[] = [];
  for (const m of (btf.type(compositeId) as BtfComposite).members) {
    if (m.name !== '') {
      out.push(m.name);
      continue;
    }
    const inner = completeComposite(btf, m.type);
    const k = btf.kindOf(inner);
    if (k === 'STRUCT' || k === 'UNION') out.push(...memberNames(btf, inner, walk, depth + 1));
  }
  return out;
}

function pathText(path: readonly MemberPathElement[], upTo: number): string {
  return path
    .slice(0, upTo + 1)
    .map((e) => `${e.op}${e.name}`)
    .join('');
}

/** Resolve a member path from a root type. Errors are SpecErrors naming the bad element. */
export function resolveMemberPath(
  btf: Btf,
  root: MemberRoot,
  path: readonly MemberPathElement[],
): MemberAccess {
  if (path.length === 0) {
    throw new SpecError('E_BTF_EMPTY_PATH', 'empty member path', {
      hint: "write a path such as '->f_path.dentry'",
    });
  }
  const rootPointerTo = typeof root === 'number' ? undefined : root.pointerTo;
  let cur = typeof root === 'number' ? root : root.pointerTo;
  const reads: number[] = [];
  const steps: MemberStep[] = [];
  let bits = 0;
  let inMemory = false;
  let member: BtfMember | undefined;

  for (let i = 0; i < path.length; i++) {
    const el = path[i]!;
    const here = pathText(path, i);
    const curText = () =>
      i === 0 && rootPointerTo !== undefined ? `${typeName(btf, cur)} *` : typeName(btf, cur);
    if (member && member.bitfieldSize > 0) {
      throw new SpecError(
        'E_BTF_NOT_STRUCT',
        `'${here}': the bitfield before '${el.op}' has no members`,
        {
          details: { path: here },
        },
      );
    }
    let container: number;
    if (el.op === '->') {
      let target: number;
      if (i === 0 && rootPointerTo !== undefined) target = rootPointerTo;
      else {
        const r = resolved(btf, cur);
        if (r.kind !== 'PTR') {
          const isComposite = r.kind === 'STRUCT' || r.kind === 'UNION';
          throw new SpecError(
            'E_BTF_NOT_POINTER',
            `'${here}': '->' needs a pointer, but this is ${curText()}`,
            {
              hint: isComposite
                ? `use '.${el.name}' for a member of a struct value`
                : 'only pointers to structs and unions have members',
              details: { path: here, type: curText() },
            },
          );
        }
        target = r.type;
      }
      if (inMemory) {
        if (bits % 8 !== 0) throw misaligned(btf, here, bits);
        reads.push(bits / 8);
        bits = 0;
      }
      container = completeComposite(btf, target);
    } else {
      const r = resolved(btf, cur);
      if (r.kind === 'PTR' || (i === 0 && rootPointerTo !== undefined)) {
        throw new SpecError('E_BTF_IS_POINTER', `'${here}': '.' on a pointer (${curText()})`, {
          hint: `use '->${el.name}' to follow the pointer`,
          details: { path: here, type: curText() },
        });
      }
      container = completeComposite(btf, cur);
    }
    const ct = btf.type(container);
    if (ct.kind !== 'STRUCT' && ct.kind !== 'UNION') {
      const what = typeName(btf, container);
      throw new SpecError('E_BTF_NOT_STRUCT', `'${here}': ${what} has no members`, {
        hint:
          ct.kind === 'FWD'
            ? `${what} is only declared in this BTF, its members are unknown`
            : 'member access needs a struct or union',
        details: { path: here, type: what },
      });
    }
    const found = findMember(btf, container, el.name);
    if (!found) {
      const names = memberNames(btf, container);
      const shown = names.length > 40 ? [...names.slice(0, 40), '…'] : names;
      throw new SpecError(
        'E_BTF_NO_MEMBER',
        `'${here}': ${typeName(btf, container)} has no member '${el.name}'`,
        {
          hint: `members: ${shown.join(', ')}`,
          details: { path: here, type: typeName(btf, container), members: names },
        },
      );
    }
    member = found.member;
    bits += found.bitOffset;
    steps.push({
      op: el.op,
      name: el.name,
      offset: Math.floor(found.bitOffset / 8),
      typeId: member.type,
      type: typeName(btf, member.type),
      parent: typeName(btf, container),
    });
    cur = member.type;
    inMemory = true;
  }

  const last = member!;
  const here = pathText(path, path.length - 1);
  const bitfield = bitfieldOf(btf, last, bits, here);
  if (!bitfield && bits % 8 !== 0) throw misaligned(btf, here, bits);
  const r = resolved(btf, cur);
  return {
    reads,
    offset: bitfield ? bitfield.start : bits / 8,
    size: bitfield ? bitfield.access.containerSize : sizeOf(btf, cur),
    signed: isSigned(btf, cur),
    typeId: cur,
    type: typeName(btf, cur),
    isPointer: r.kind === 'PTR',
    isUserPtr: isUserPointer(btf, cur),
    string: stringKind(btf, cur),
    bitfield: bitfield ? bitfield.access : null,
    steps,
  };
}

function misaligned(btf: Btf, here: string, bits: number) {
  return btfCorrupt('E_BTF_BAD_TYPE', `'${here}' sits at bit ${bits}, not on a byte boundary`, {
    source: btf.source,
  });
}

/**
 * Bitfield details for the final member, or undefined when it is a whole value.
 * The container is the smallest of 1/2/4/8 bytes, at least the storage type's
 * size, aligned to its own size, that holds all the bits.
 */
function bitfieldOf(
  btf: Btf,
  m: BtfMember,
  bits: number,
  here: string,
): { start: number; access: BitfieldAccess } | undefined {
  let width = m.bitfieldSize;
  let bitPos = bits;
  if (width === 0) {
    const r = resolved(btf, m.type);
    if (r.kind !== 'INT' || (r.bits === r.size * 8 && r.bitOffset === 0)) return undefined;
    width = r.bits;
    bitPos += r.bitOffset;
  }
  const storage = Math.min(8, Math.max(1, sizeOf(btf, m.type)));
  for (const c of [1, 2, 4, 8]) {
    if (c < storage) continue;
    const start = Math.floor(bitPos / (c * 8)) * c;
    const rel = bitPos - start * 8;
    if (rel + width > c * 8) continue;
    const bitOffset = btf.littleEndian ? rel : c * 8 - rel - width;
    return {
      start,
      access: {
        width,
        bitOffset,
        containerSize: c,
        tracefsType: `b${width}@${bitOffset}/${c * 8}`,
      },
    };
  }
  throw new SpecError(
    'E_BTF_BITFIELD',
    `'${here}': a ${width}-bit field at bit ${bitPos} does not fit in 8 aligned bytes`,
    {
      hint: 'read the containing bytes as an integer instead',
      details: { path: here },
    },
  );
}
