/** Sizes of the C element types that appear in event format files (64-bit kernels). */
const SIZES = {
  char: 1,
  u8: 1,
  s8: 1,
  x8: 1,
  bool: 1,
  _Bool: 1,
  __u8: 1,
  __s8: 1,
  u16: 2,
  s16: 2,
  x16: 2,
  short: 2,
  __u16: 2,
  __s16: 2,
  __le16: 2,
  __be16: 2,
  u32: 4,
  s32: 4,
  x32: 4,
  int: 4,
  __u32: 4,
  __s32: 4,
  __le32: 4,
  __be32: 4,
  pid_t: 4,
  gfp_t: 4,
  u64: 8,
  s64: 8,
  x64: 8,
  long: 8,
  'long long': 8,
  __u64: 8,
  __s64: 8,
  __le64: 8,
  __be64: 8,
  size_t: 8,
  ssize_t: 8,
  loff_t: 8,
} as const satisfies Record<string, number>;

/** The size in bytes of an element type, or null when unknown (pointers count as 8). */
export function elementSizeOf(type: string): number | null {
  const t = type
    .replace(/\b(const|volatile|unsigned|signed|struct|enum)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (t.endsWith('*')) return 8;
  if (t === '' && /\bunsigned\b|\bsigned\b/.test(type)) return 4;
  return (SIZES as Record<string, number>)[t] ?? null;
}

const UNSIGNED_NAMES =
  /\bunsigned\b|^(__)?u(8|16|32|64)$|^x(8|16|32|64)$|^(size_t|gfp_t|umode_t|bool|_Bool)$|^__(le|be)\d+$/;

/**
 * A plain integer C type that is narrower than its field: syscall tracepoints
 * declare `int dfd` in an 8-byte unsigned slot holding the register, so the
 * value is the low `size` bytes read with the declared signedness (dfd = -100,
 * not 4294967196). Null for pointers, arrays, wide or unknown types.
 */
export function narrowInteger(
  type: string,
  fieldSize: number,
): { size: number; signed: boolean } | null {
  if (type.includes('*') || type.includes('[')) return null;
  const size = elementSizeOf(type);
  if (size === null || size >= fieldSize || ![1, 2, 4].includes(size)) return null;
  const bare = type
    .replace(/\b(const|volatile)\b/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (bare === 'char') return null;
  return { size, signed: !UNSIGNED_NAMES.test(bare) };
}
