/**
 * BPF opcode constants (Documentation/bpf/standardization/instruction-set.rst).
 *
 * Every instruction is 8 bytes, little-endian on the hosts we support:
 *
 *   byte:  0        1            2..3          4..7
 *        +--------+----+----+--------------+--------------------+
 *        | opcode |src |dst |  offset s16  |   immediate s32    |
 *        +--------+----+----+--------------+--------------------+
 *                  hi 4 lo 4
 *
 *   opcode, arithmetic and jumps:  | op (4) | source (1) | class (3) |
 *   opcode, loads and stores:      | mode (3) | size (2) | class (3) |
 *
 * LD_IMM64 takes two slots: the second holds the upper 32 bits of the
 * immediate in its imm field and zeros elsewhere.
 */

export const CLASS_MASK = 0x07;
export const SIZE_MASK = 0x18;
export const MODE_MASK = 0xe0;
export const SOURCE_MASK = 0x08;
export const OP_MASK = 0xf0;

export const InsnClass = {
  LD: 0x00, // non-standard loads: LD_IMM64, legacy packet access
  LDX: 0x01, // dst = *(size *)(src + off)
  ST: 0x02, // *(size *)(dst + off) = imm
  STX: 0x03, // *(size *)(dst + off) = src, and atomics
  ALU: 0x04, // 32-bit arithmetic, upper half of dst zeroed
  JMP: 0x05, // 64-bit comparisons, call, exit
  JMP32: 0x06, // 32-bit comparisons
  ALU64: 0x07, // 64-bit arithmetic
} as const satisfies Record<string, number>;

export const Size = {
  W: 0x00, // 4 bytes
  H: 0x08, // 2 bytes
  B: 0x10, // 1 byte
  DW: 0x18, // 8 bytes
} as const satisfies Record<string, number>;

export const Mode = {
  IMM: 0x00, // 64-bit immediate (LD only)
  ABS: 0x20, // legacy packet access, absolute offset
  IND: 0x40, // legacy packet access, offset in a register
  MEM: 0x60, // regular load or store
  MEMSX: 0x80, // sign-extending load
  ATOMIC: 0xc0, // atomic read-modify-write (STX only)
} as const satisfies Record<string, number>;

export const Source = {
  K: 0x00, // operand is the 32-bit immediate
  X: 0x08, // operand is the src register
} as const satisfies Record<string, number>;

/** ALU operations (the `op` nibble); off selects the signed or sign-extending variants. */
export const AluOp = {
  add: 0x00, // dst += src
  sub: 0x10, // dst -= src
  mul: 0x20, // dst *= src
  div: 0x30, // dst /= src (off=1: signed)
  or: 0x40, // dst |= src
  and: 0x50, // dst &= src
  lsh: 0x60, // dst <<= src
  rsh: 0x70, // dst >>= src, logical
  neg: 0x80, // dst = -dst
  mod: 0x90, // dst %= src (off=1: signed)
  xor: 0xa0, // dst ^= src
  mov: 0xb0, // dst = src (off=8/16/32: sign-extend src)
  arsh: 0xc0, // dst >>= src, arithmetic
  end: 0xd0, // byte swap; source bit picks le/be, ALU64 means unconditional
} as const satisfies Record<string, number>;

/** Jump operations (the `op` nibble). */
export const JmpOp = {
  ja: 0x00, // goto (JMP32 class: 32-bit offset in imm)
  jeq: 0x10, // ==
  jgt: 0x20, // > unsigned
  jge: 0x30, // >= unsigned
  jset: 0x40, // & != 0
  jne: 0x50, // !=
  jsgt: 0x60, // > signed
  jsge: 0x70, // >= signed
  call: 0x80, // call helper (src 0), local function (1) or kfunc (2)
  exit: 0x90, // return r0
  jlt: 0xa0, // < unsigned
  jle: 0xb0, // <= unsigned
  jslt: 0xc0, // < signed
  jsle: 0xd0, // <= signed
} as const satisfies Record<string, number>;

/** Atomic operations, carried in the imm field of STX|ATOMIC. */
export const AtomicOp = {
  add: 0x00, // *ptr += src
  or: 0x40, // *ptr |= src
  and: 0x50, // *ptr &= src
  xor: 0xa0, // *ptr ^= src
  xchg: 0xe1, // src = xchg(*ptr, src) (always fetches)
  cmpxchg: 0xf1, // r0 = cmpxchg(*ptr, r0, src) (always fetches)
} as const satisfies Record<string, number>;

/** Bit added to add/or/and/xor: the old value is returned in src. */
export const ATOMIC_FETCH = 0x01;

/** src field of LD_IMM64: how the loader interprets the immediate. */
export const PseudoSrc = {
  imm: 0, // a plain 64-bit constant
  map_fd: 1, // imm = map fd; becomes a map pointer
  map_value: 2, // imm = map fd, imm2 = offset into the value of key 0
  btf_id: 3, // imm = BTF id of a kernel variable
  func: 4, // imm = relative offset of a BPF function
  map_idx: 5, // imm = index into fd_array
  map_idx_value: 6, // like map_value with an fd_array index
} as const satisfies Record<string, number>;

/** src field of CALL. */
export const CallSrc = {
  helper: 0, // imm = helper id
  local: 1, // imm = relative offset of a BPF function
  kfunc: 2, // imm = BTF id of a kernel function
} as const satisfies Record<string, number>;

/** Byte sizes of the load/store size codes. */
export const SIZE_BYTES = { 0: 4, 8: 2, 16: 1, 24: 8 } as const satisfies Record<number, number>;

export type AluOpName = keyof typeof AluOp;
export type JmpOpName = keyof typeof JmpOp;
export type AtomicOpName = keyof typeof AtomicOp;
export type PseudoSrcName = keyof typeof PseudoSrc;
export type CallSrcName = keyof typeof CallSrc;

/** Reverse lookup of a name table. */
export function nameOf<T extends Record<string, number>>(
  table: T,
  value: number,
): keyof T | undefined {
  for (const [k, v] of Object.entries(table)) if (v === value) return k as keyof T;
  return undefined;
}
