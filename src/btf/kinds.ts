/**
 * BTF kinds as data: the number in `info`, and how many bytes follow the
 * 12-byte common record (a fixed part plus a part per `vlen` entry).
 *
 * Common record (12 bytes):  u32 name_off | u32 info | u32 size_or_type
 *   info bits:  31 kind_flag | 28..24 kind (5 bits) | 15..0 vlen
 */

export const BTF_KINDS = {
  /** u32: bits = v & 0xff, offset = (v >> 16) & 0xff, encoding = (v >> 24) & 0xf */
  INT: { id: 1, fixed: 4, perVlen: 0 },
  /** size_or_type = pointee */
  PTR: { id: 2, fixed: 0, perVlen: 0 },
  /** { type, index_type, nelems } */
  ARRAY: { id: 3, fixed: 12, perVlen: 0 },
  /** vlen x { name_off, type, offset } */
  STRUCT: { id: 4, fixed: 0, perVlen: 12 },
  UNION: { id: 5, fixed: 0, perVlen: 12 },
  /** vlen x { name_off, s32/u32 val } */
  ENUM: { id: 6, fixed: 0, perVlen: 8 },
  /** kind_flag: 0 struct, 1 union */
  FWD: { id: 7, fixed: 0, perVlen: 0 },
  TYPEDEF: { id: 8, fixed: 0, perVlen: 0 },
  VOLATILE: { id: 9, fixed: 0, perVlen: 0 },
  CONST: { id: 10, fixed: 0, perVlen: 0 },
  RESTRICT: { id: 11, fixed: 0, perVlen: 0 },
  /** size_or_type = FUNC_PROTO, vlen = linkage */
  FUNC: { id: 12, fixed: 0, perVlen: 0 },
  /** size_or_type = return type; vlen x { name_off, type }; last {0,0} = varargs */
  FUNC_PROTO: { id: 13, fixed: 0, perVlen: 8 },
  /** u32 linkage */
  VAR: { id: 14, fixed: 4, perVlen: 0 },
  /** vlen x { type, offset, size } */
  DATASEC: { id: 15, fixed: 0, perVlen: 12 },
  FLOAT: { id: 16, fixed: 0, perVlen: 0 },
  /** s32 component_idx (-1: the whole type) */
  DECL_TAG: { id: 17, fixed: 4, perVlen: 0 },
  TYPE_TAG: { id: 18, fixed: 0, perVlen: 0 },
  /** vlen x { name_off, lo32, hi32 } */
  ENUM64: { id: 19, fixed: 0, perVlen: 12 },
} as const satisfies Record<string, { id: number; fixed: number; perVlen: number }>;

export type BtfKindName = keyof typeof BTF_KINDS;

/** Kind number → name; index 0 (UNKN) and numbers past the table are unknown. */
export const KIND_BY_NUMBER: readonly (BtfKindName | undefined)[] = (() => {
  const out: (BtfKindName | undefined)[] = [];
  for (const [name, k] of Object.entries(BTF_KINDS)) out[k.id] = name as BtfKindName;
  return out;
})();

/** Size of the common record that starts every type. */
export const BTF_TYPE_RECORD = 12;
/** Size of `struct btf_header` (version 1). */
export const BTF_HEADER_SIZE = 24;
export const BTF_MAGIC = 0xeb9f;
export const BTF_VERSION = 1;

/** INT encoding bits. */
export const BTF_INT_SIGNED = 1;
export const BTF_INT_CHAR = 2;
export const BTF_INT_BOOL = 4;

/** Kinds that only qualify or rename another type; `resolveType` skips them. */
export const MODIFIER_KINDS: ReadonlySet<string> = new Set<BtfKindName>([
  'TYPEDEF',
  'VOLATILE',
  'CONST',
  'RESTRICT',
  'TYPE_TAG',
]);

export const FUNC_LINKAGE = ['static', 'global', 'extern'] as const;
export type FuncLinkage = (typeof FUNC_LINKAGE)[number];

export const VAR_LINKAGE = ['static', 'global', 'extern'] as const;
export type VarLinkage = (typeof VAR_LINKAGE)[number];

/** How deep `resolveType`, `typeName` and friends follow references before calling it a loop. */
export const MAX_RESOLVE_DEPTH = 64;
/** How many types one recursive walk (a C name, a member search) may visit: bounds fan-out in corrupt data. */
export const MAX_WALK_STEPS = 100_000;
