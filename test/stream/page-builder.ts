/** Builds synthetic trace_pipe_raw pages (x86_64 layout) for tests, fuzzing and the bench. */
import type { PageLayout } from '../../src/stream/header.js';

export const LAYOUT64: PageLayout = {
  timestampOffset: 0,
  timestampSize: 8,
  commitOffset: 8,
  commitSize: 8,
  dataOffset: 16,
  dataSize: 4080,
};

export type Entry =
  | {
      readonly kind: 'data';
      readonly delta: number;
      readonly payload: Uint8Array;
      readonly long?: boolean;
    }
  | { readonly kind: 'extend'; readonly delta: number }
  | { readonly kind: 'abs'; readonly ts: bigint }
  | { readonly kind: 'discard'; readonly delta: number; readonly length: number }
  | { readonly kind: 'end' };

export interface PageOptions {
  readonly timestamp: bigint;
  readonly missed?: boolean;
  /** Stored lost count (sets RB_MISSED_STORED). */
  readonly lostCount?: number;
  readonly layout?: PageLayout;
  readonly littleEndian?: boolean;
  /** Override the commit size written in the header. */
  readonly commitSize?: number;
}

const MAX_DELTA = 2 ** 27 - 1;

export function buildPage(entries: readonly Entry[], opts: PageOptions): Uint8Array {
  const L = opts.layout ?? LAYOUT64;
  const le = opts.littleEndian ?? true;
  const page = new Uint8Array(L.dataOffset + L.dataSize);
  const v = new DataView(page.buffer);
  let pos = L.dataOffset;
  const head = (typeLen: number, delta: number) => {
    if (delta > MAX_DELTA) throw new Error('delta too big for one header');
    v.setUint32(pos, ((delta << 5) | typeLen) >>> 0, le);
  };
  for (const e of entries) {
    switch (e.kind) {
      case 'data': {
        const len = (e.payload.length + 3) & ~3;
        if (len <= 112 && !e.long) {
          head(len / 4, e.delta);
          page.set(e.payload, pos + 4);
          pos += 4 + len;
        } else {
          head(0, e.delta);
          v.setUint32(pos + 4, len + 4, le);
          page.set(e.payload, pos + 8);
          pos += 8 + len;
        }
        break;
      }
      case 'extend':
        head(30, e.delta % 2 ** 27);
        v.setUint32(pos + 4, Math.floor(e.delta / 2 ** 27), le);
        pos += 8;
        break;
      case 'abs':
        head(30 + 1, Number(e.ts & BigInt(MAX_DELTA)));
        v.setUint32(pos + 4, Number((e.ts >> 27n) & 0xffffffffn), le);
        pos += 8;
        break;
      case 'discard':
        head(29, e.delta);
        v.setUint32(pos + 4, e.length, le);
        pos += 4 + e.length;
        break;
      case 'end':
        head(29, 0);
        pos += 4;
        break;
    }
  }
  const size = opts.commitSize ?? pos - L.dataOffset;
  let commit = size;
  if (opts.missed || opts.lostCount !== undefined) commit |= 0x80000000;
  if (opts.lostCount !== undefined) {
    commit |= 0x40000000;
    if (L.commitSize === 8) v.setBigUint64(L.dataOffset + size, BigInt(opts.lostCount), le);
    else v.setUint32(L.dataOffset + size, opts.lostCount, le);
  }
  v.setBigUint64(L.timestampOffset, opts.timestamp, le);
  if (L.commitSize === 8) {
    // The flags are C ints, so the kernel's 64-bit commit word is sign-extended.
    const word = BigInt.asUintN(64, BigInt.asIntN(32, BigInt(commit >>> 0)));
    v.setBigUint64(L.commitOffset, word, le);
  } else v.setUint32(L.commitOffset, commit >>> 0, le);
  return page;
}

/** The synthetic `small` event: __probe_ip and one u64. */
export const SMALL_FORMAT = `name: small
ID: 100
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;
\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;
\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;

\tfield:unsigned long __probe_ip;\toffset:8;\tsize:8;\tsigned:0;
\tfield:u64 v;\toffset:16;\tsize:8;\tsigned:0;

print fmt: "(%lx) v=%Lu", REC->__probe_ip, REC->v
`;

export function smallRecord(
  pid: number,
  ip: bigint,
  value: bigint,
  id = 100,
  le = true,
): Uint8Array {
  const b = new Uint8Array(24);
  const v = new DataView(b.buffer);
  v.setUint16(0, id, le);
  v.setInt32(4, pid, le);
  v.setBigUint64(8, ip, le);
  v.setBigUint64(16, value, le);
  return b;
}

/** A page full of small records, each `delta` ns after the previous. */
export function fullSmallPage(
  timestamp: bigint,
  first: number,
  delta = 100,
): { page: Uint8Array; count: number } {
  const entries: Entry[] = [];
  let used = 0;
  let i = 0;
  while (used + 28 <= LAYOUT64.dataSize) {
    entries.push({
      kind: 'data',
      delta,
      payload: smallRecord(1000 + (i % 4), 0x401000n, BigInt(first + i)),
    });
    used += 28;
    i++;
  }
  return { page: buildPage(entries, { timestamp }), count: i };
}
