/**
 * Following references: skip typedefs and qualifiers, measure a type, tell
 * signedness, spot `char` strings and `__user` pointers. Every walk is bounded
 * by MAX_RESOLVE_DEPTH so a reference loop in corrupt data is an error, not a hang.
 */
import type { Btf } from './btf.js';
import { btfCorrupt } from './errors.js';
import { MAX_RESOLVE_DEPTH, MAX_WALK_STEPS, MODIFIER_KINDS } from './kinds.js';
import type { BtfType } from './types.js';

export function loopError(btf: Btf, id: number, what: string) {
  return btfCorrupt(
    'E_BTF_LOOP',
    `${what} from type id ${id} goes more than ${MAX_RESOLVE_DEPTH} references deep (a reference loop?)`,
    { typeId: id, source: btf.source },
  );
}

/**
 * Bounds one recursive walk over types: its depth (reference loops) and its
 * total steps (corrupt data can fan out exponentially without looping).
 */
export class Walk {
  private steps = 0;
  constructor(
    private readonly btf: Btf,
    private readonly start: number,
    private readonly what: string,
  ) {}

  enter(depth: number): void {
    if (depth > MAX_RESOLVE_DEPTH) throw loopError(this.btf, this.start, this.what);
    if (++this.steps > MAX_WALK_STEPS) {
      throw btfCorrupt(
        'E_BTF_LOOP',
        `${this.what} from type id ${this.start} visits more than ${MAX_WALK_STEPS} types (corrupt references?)`,
        { typeId: this.start, source: this.btf.source },
      );
    }
  }
}

/** Follow TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the underlying type id. */
export function resolveType(btf: Btf, id: number): number {
  let cur = id;
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    const t = btf.type(cur);
    if (!MODIFIER_KINDS.has(t.kind)) return cur;
    cur = (t as { type: number }).type;
  }
  throw loopError(btf, id, 'resolving');
}

/** Like resolveType but keeps typedefs: skips only CONST, VOLATILE, RESTRICT and TYPE_TAG. */
export function skipQualifiers(btf: Btf, id: number): number {
  let cur = id;
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    const t = btf.type(cur);
    if (
      t.kind !== 'CONST' &&
      t.kind !== 'VOLATILE' &&
      t.kind !== 'RESTRICT' &&
      t.kind !== 'TYPE_TAG'
    ) {
      return cur;
    }
    cur = t.type;
  }
  throw loopError(btf, id, 'skipping qualifiers');
}

/** The resolved type itself. */
export function resolved(btf: Btf, id: number): BtfType {
  return btf.type(resolveType(btf, id));
}

/** Size in bytes (0 for void, functions and forward declarations). */
export function sizeOf(btf: Btf, id: number, depth = 0): number {
  if (depth > MAX_RESOLVE_DEPTH) throw loopError(btf, id, 'measuring');
  const t = resolved(btf, id);
  switch (t.kind) {
    case 'INT':
    case 'STRUCT':
    case 'UNION':
    case 'ENUM':
    case 'ENUM64':
    case 'FLOAT':
    case 'DATASEC':
      return t.size;
    case 'PTR':
      return btf.pointerSize;
    case 'ARRAY':
      return t.nelems * sizeOf(btf, t.type, depth + 1);
    case 'VAR':
      return sizeOf(btf, t.type, depth + 1);
    default:
      return 0;
  }
}

/** Whether a value of this type is signed (signed INT, signed ENUM). */
export function isSigned(btf: Btf, id: number): boolean {
  const t = resolved(btf, id);
  return (t.kind === 'INT' || t.kind === 'ENUM' || t.kind === 'ENUM64') && t.signed;
}

const CHAR_NAMES: ReadonlySet<string> = new Set(['char', 'unsigned char', 'signed char']);

/**
 * A `char`, `unsigned char` or `signed char` (possibly const/volatile): the
 * element of C strings (`d_name.name` is `const unsigned char *`). Typedefs
 * such as `u8` do not count.
 */
export function isCharType(btf: Btf, id: number): boolean {
  const t = btf.type(skipQualifiers(btf, id));
  return t.kind === 'INT' && t.size === 1 && (CHAR_NAMES.has(t.name) || t.char);
}

export type StringKind = 'pointer' | 'array' | null;

/** `char *` / `const char *` → 'pointer'; `char[N]` → 'array'; otherwise null. */
export function stringKind(btf: Btf, id: number): StringKind {
  const t = btf.type(skipQualifiers(btf, id));
  if (t.kind === 'PTR' && isCharType(btf, t.type)) return 'pointer';
  if (t.kind === 'ARRAY' && isCharType(btf, t.type)) return 'array';
  return null;
}

/** The pointee of a pointer-typed value (through typedefs), or undefined when not a pointer. */
export function pointee(btf: Btf, id: number): number | undefined {
  const t = resolved(btf, id);
  return t.kind === 'PTR' ? t.type : undefined;
}

/**
 * Whether a pointer type points to user memory: its pointee carries the
 * `user` TYPE_TAG (`char __user *`). Only kernels built with btf_type_tag
 * support record it, so false means "not known to be user", not "kernel".
 */
export function isUserPointer(btf: Btf, id: number): boolean {
  const target = pointee(btf, id);
  if (target === undefined) return false;
  let cur = target;
  for (let depth = 0; depth <= MAX_RESOLVE_DEPTH; depth++) {
    const t = btf.type(cur);
    if (t.kind === 'TYPE_TAG' && t.name === 'user') return true;
    if (
      t.kind !== 'CONST' &&
      t.kind !== 'VOLATILE' &&
      t.kind !== 'RESTRICT' &&
      t.kind !== 'TYPE_TAG'
    ) {
      return false;
    }
    cur = t.type;
  }
  throw loopError(btf, id, 'looking for a user tag');
}

/**
 * A complete STRUCT/UNION for a type that may be a forward declaration: a FWD
 * is replaced by the first complete type of the same name (here or in the base).
 */
export function completeComposite(btf: Btf, id: number): number {
  const r = resolveType(btf, id);
  const t = btf.type(r);
  if (t.kind !== 'FWD' || t.name === '') return r;
  const found = btf.findTypes(t.name, t.union ? 'UNION' : 'STRUCT')[0];
  return found ?? r;
}
