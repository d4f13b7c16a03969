/**
 * An independent reading of BTF for cross-checks: `bpftool btf dump file F
 * format raw` parsed into records. Returns null when bpftool is missing.
 */
import { spawnSync } from 'node:child_process';

export interface RawMember {
  readonly name: string;
  readonly typeId: number;
  readonly bitsOffset: number;
  readonly bitfieldSize: number;
}

export interface RawType {
  readonly id: number;
  readonly kind: string;
  /** '' for bpftool's '(anon)'. */
  readonly name: string;
  /** `key=value` attributes of the type line (size, vlen, type_id, ...). */
  readonly attrs: Readonly<Record<string, string>>;
  /** Member lines (STRUCT/UNION), or enum `val=` values as members with bitsOffset unused. */
  readonly members: RawMember[];
  readonly values: { readonly name: string; readonly value: bigint }[];
}

const cache = new Map<string, RawType[] | null>();

export function bpftoolDump(file: string): RawType[] | null {
  if (cache.has(file)) return cache.get(file)!;
  const r = spawnSync('bpftool', ['btf', 'dump', 'file', file, 'format', 'raw'], {
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  if (r.error || r.status !== 0) {
    cache.set(file, null);
    return null;
  }
  const types: RawType[] = [];
  let cur: RawType | undefined;
  for (const line of r.stdout.split('\n')) {
    const head = /^\[(\d+)\] (\w+) '([^']*)'(.*)$/.exec(line);
    if (head) {
      const attrs: Record<string, string> = {};
      for (const m of head[4]!.matchAll(/(\w+)=([^\s,]+)/g)) attrs[m[1]!] = m[2]!;
      cur = {
        id: Number(head[1]),
        kind: head[2]!,
        name: head[3] === '(anon)' ? '' : head[3]!,
        attrs,
        members: [],
        values: [],
      };
      types.push(cur);
      continue;
    }
    if (!cur || !line.startsWith('\t')) continue;
    const member = /^\t'([^']*)' type_id=(\d+) bits_offset=(\d+)(?: bitfield_size=(\d+))?/.exec(
      line,
    );
    if (member) {
      cur.members.push({
        name: member[1] === '(anon)' ? '' : member[1]!,
        typeId: Number(member[2]),
        bitsOffset: Number(member[3]),
        bitfieldSize: Number(member[4] ?? 0),
      });
      continue;
    }
    const value = /^\t'([^']*)' val=(-?\d+)/.exec(line);
    if (value) cur.values.push({ name: value[1]!, value: BigInt(value[2]!) });
  }
  cache.set(file, types);
  return types;
}
