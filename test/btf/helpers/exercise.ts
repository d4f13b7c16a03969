/**
 * Fuzz helpers: a seeded PRNG, byte mutations, and `exercise`, which parses
 * and walks everything reachable, accepting only ProbekitErrors.
 */
import { type Btf, isPtRegsWrapper, parseBtf, ptRegsOffsets } from '../../../src/btf/index.js';
import { ProbekitError } from '../../../src/errors.js';

/** mulberry32: small, seedable, good enough for fuzzing. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function fuzzSeed(): number {
  const env = process.env['PROBEKIT_FUZZ_SEED'];
  return env ? Number(env) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
}

const INTERESTING = [
  0, 1, 2, 12, 24, 0x7f, 0x80, 0xff, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff,
];

/** One random mutation of `src` (a copy): bit flips, byte/word overwrites, cuts, header edits. */
export function mutate(
  src: Uint8Array,
  rand: () => number,
  typeRegion?: [number, number],
): Uint8Array {
  const pick = (n: number) => Math.floor(rand() * n);
  const r = pick(7);
  // Copies made with `new Uint8Array(...)`: a Node Buffer's slice() is a view, not a copy.
  if (r === 0) return new Uint8Array(src.subarray(0, pick(src.length)));
  const out = new Uint8Array(src);
  const view = new DataView(out.buffer);
  const [lo, hi] = typeRegion && rand() < 0.7 ? typeRegion : [0, out.length];
  const at = () => lo + pick(Math.max(1, hi - lo));
  switch (r) {
    case 1:
    case 2: {
      const n = 1 + pick(8);
      for (let i = 0; i < n; i++) {
        const p = at();
        out[p] = out[p]! ^ (1 << pick(8));
      }
      break;
    }
    case 3:
      out[at()] = pick(256);
      break;
    case 4: {
      const p = Math.min(out.length - 4, at() & ~3);
      if (p >= 0) view.setUint32(p, INTERESTING[pick(INTERESTING.length)]! >>> 0, true);
      break;
    }
    case 5: {
      // Header field edit.
      const field = 4 + 4 * pick(5);
      if (out.length >= field + 4)
        view.setUint32(field, (view.getUint32(field, true) + pick(64) - 32) >>> 0, true);
      break;
    }
    default: {
      // Cut the data and shrink the header's type section to match, so the type walk sees the cut.
      const cut = 24 + pick(Math.max(1, out.length - 24));
      const typeLen = Math.max(0, cut - 24);
      if (out.length >= 24) {
        view.setUint32(12, typeLen, true);
        view.setUint32(16, typeLen, true);
        view.setUint32(20, 0, true);
      }
      return new Uint8Array(out.subarray(0, cut));
    }
  }
  return out;
}

export interface ExerciseResult {
  readonly parsed: boolean;
  /** ProbekitErrors about corrupt data (E_BTF_BAD_*, E_BTF_LOOP, ...). */
  readonly errors: number;
  /** Other ProbekitErrors: lookups of names that do not exist, bad member paths. */
  readonly lookups: number;
}

const LOOKUP_CODES = new Set([
  'E_BTF_NO_FUNCTION',
  'E_BTF_NO_MEMBER',
  'E_BTF_NOT_POINTER',
  'E_BTF_IS_POINTER',
  'E_BTF_NOT_STRUCT',
  'E_BTF_BITFIELD',
  'E_BTF_EMPTY_PATH',
]);

interface Counter {
  errors: number;
  lookups: number;
}

/** Run `f`; a ProbekitError counts, anything else is rethrown with context. */
function guard(what: string, f: () => unknown, counter: Counter): void {
  try {
    f();
  } catch (e) {
    if (e instanceof ProbekitError) {
      if (LOOKUP_CODES.has(e.code)) counter.lookups++;
      else counter.errors++;
      if (typeof e.message !== 'string' || e.message.length === 0)
        throw new Error(`${what}: empty message`);
      return;
    }
    throw new Error(`${what}: not a ProbekitError: ${(e as Error)?.stack ?? String(e)}`);
  }
}

/** Parse and walk: every type (or `ids` of them), names, prototypes, member lookups. */
export function exercise(bytes: Uint8Array, ids?: (btf: Btf) => Iterable<number>): ExerciseResult {
  const counter: Counter = { errors: 0, lookups: 0 };
  let btf: Btf | undefined;
  guard(
    'parse',
    () => {
      btf = parseBtf(bytes, { name: 'fuzz' });
    },
    counter,
  );
  if (!btf) return { parsed: false, ...counter };
  const b = btf;
  for (const id of ids ? ids(b) : b.ids()) {
    guard(
      `type ${id}`,
      () => {
        const t = b.type(id);
        b.kindOf(id);
        b.nameOf(id);
        guard(`typeName ${id}`, () => b.typeName(id, 'x'), counter);
        guard(`resolveType ${id}`, () => b.resolveType(id), counter);
        guard(`sizeOf ${id}`, () => b.sizeOf(id), counter);
        if (t.kind === 'FUNC') {
          guard(
            `prototype ${t.name}`,
            () => {
              const p = b.functionPrototype(t.name);
              isPtRegsWrapper(p);
            },
            counter,
          );
          guard(`render ${t.name}`, () => b.renderPrototype(t.name), counter);
        }
        if ((t.kind === 'STRUCT' || t.kind === 'UNION') && t.members.length > 0) {
          const m = t.members[0]!;
          guard(
            `member ${id}`,
            () => b.resolveMemberPath(id, [{ op: '.', name: m.name || 'zz' }]),
            counter,
          );
          guard(
            `member ptr ${id}`,
            () =>
              b.resolveMemberPath({ pointerTo: id }, [
                { op: '->', name: m.name },
                { op: '->', name: 'y' },
              ]),
            counter,
          );
        }
      },
      counter,
    );
  }
  guard('countByKind', () => b.countByKind(), counter);
  guard('findTypes', () => b.findTypes('file', 'STRUCT'), counter);
  guard('pt_regs', () => ptRegsOffsets(b), counter);
  guard('unknown function', () => b.functionPrototype('vfs_raed'), counter);
  return { parsed: true, ...counter };
}
