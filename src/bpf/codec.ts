/** Typed key and value codecs for maps and records (little-endian). */

export interface Codec<T> {
  readonly size: number;
  encode(value: T, into: Uint8Array): void;
  decode(from: Uint8Array): T;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);

export const u32: Codec<number> = {
  size: 4,
  encode: (v, b) => dv(b).setUint32(0, v >>> 0, true),
  decode: (b) => dv(b).getUint32(0, true),
};

export const u64: Codec<bigint> = {
  size: 8,
  encode: (v, b) => dv(b).setBigUint64(0, BigInt.asUintN(64, v), true),
  decode: (b) => dv(b).getBigUint64(0, true),
};

/** A NUL-padded string of `size` bytes (TASK_COMM_LEN is 16). */
export function cstring(size: number): Codec<string> {
  return {
    size,
    encode: (v, b) => {
      b.fill(0, 0, size);
      b.set(new TextEncoder().encode(v).subarray(0, size - 1));
    },
    decode: (b) => {
      const s = b.subarray(0, size);
      const end = s.indexOf(0);
      return new TextDecoder().decode(end < 0 ? s : s.subarray(0, end));
    },
  };
}

export const comm = cstring(16);

/** Raw bytes of a fixed size. */
export function bytes(size: number): Codec<Uint8Array> {
  return {
    size,
    encode: (v, b) => b.set(v.subarray(0, size)),
    decode: (b) => b.slice(0, size),
  };
}

/** Encode into a fresh buffer. */
export function encodeValue<T>(c: Codec<T>, v: T): Uint8Array {
  const b = new Uint8Array(c.size);
  c.encode(v, b);
  return b;
}
