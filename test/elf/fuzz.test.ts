/**
 * Seeded mutation fuzzing of real binaries: every parse + symbol lookup either
 * works or throws a ProbekitError, quickly. Set PROBEKIT_FUZZ_SEED to explore.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  parseElf,
  resolveUserSymbol,
  symbolFileOffset,
  userFunctions,
} from '../../src/elf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { have, rng, tempDir } from './helpers.js';
import { tinyElf } from './tiny-elf.js';

const ITERATIONS = 6000;
const PER_CASE_MS = 1000;

function corpus(): { name: string; bytes: Uint8Array }[] {
  const out = [
    {
      name: 'tiny64be',
      bytes: tinyElf({
        elfClass: 64,
        endian: 'big',
        machine: 22,
        base: 0x1000000n,
        functions: [{ name: 'main', at: 0, size: 16 }],
      }),
    },
    {
      name: 'tiny32le',
      bytes: tinyElf({
        elfClass: 32,
        endian: 'little',
        machine: 3,
        base: 0x8048000n,
        functions: [{ name: 'main', at: 0, size: 16 }],
      }),
    },
  ];
  if (!have('gcc')) return out;
  const { dir, cleanup } = tempDir('fuzz');
  try {
    writeFileSync(
      join(dir, 'm.c'),
      'int helper(int x){return x*3;} int main(int c, char**v){(void)v; return helper(c);}',
    );
    writeFileSync(
      join(dir, 'l.c'),
      'int vf1(int x){return x;} int vf2(int x){return x+1;}\n__asm__(".symver vf1, vf@V1"); __asm__(".symver vf2, vf@@V2");',
    );
    writeFileSync(join(dir, 'l.map'), 'V1 { global: vf; local: *; };\nV2 { global: vf; } V1;');
    execFileSync('gcc', ['-O1', '-o', 'pie', 'm.c'], { cwd: dir });
    execFileSync('gcc', ['-shared', '-fpic', '-Wl,--version-script=l.map', '-o', 'l.so', 'l.c'], {
      cwd: dir,
    });
    out.push({ name: 'pie', bytes: new Uint8Array(readFileSync(join(dir, 'pie'))) });
    out.push({ name: 'l.so', bytes: new Uint8Array(readFileSync(join(dir, 'l.so'))) });
  } finally {
    cleanup();
  }
  return out;
}

const INTERESTING = [0, 1, 0xff, 0x7fffffff, 0x80000000, 0xffffffff, 0xffff, 0x10000];

function mutate(
  src: Uint8Array,
  other: Uint8Array,
  rand: () => number,
): { bytes: Uint8Array; how: string } {
  const pick = (n: number) => Math.floor(rand() * n);
  const b = src.slice();
  // Aim at the places tables live: the file header, the section header table at the end, or anywhere.
  const where = (): number => {
    const r = rand();
    if (r < 0.35) return pick(Math.min(64, b.length));
    if (r < 0.7) return b.length - 1 - pick(Math.min(2048, b.length));
    return pick(b.length);
  };
  const kind = pick(5);
  if (kind === 0) {
    const n = 1 + pick(8);
    for (let i = 0; i < n; i++) {
      const p = where();
      b[p] = (b[p] ?? 0) ^ (1 << pick(8));
    }
    return { bytes: b, how: `flip ${n} bits` };
  }
  if (kind === 1) {
    const at = where() & ~3;
    const v = INTERESTING[pick(INTERESTING.length)]!;
    if (at + 4 <= b.length) new DataView(b.buffer).setUint32(at, v, rand() < 0.5);
    return { bytes: b, how: `set u32 at ${at} to ${v}` };
  }
  if (kind === 2) {
    const n = pick(b.length);
    return { bytes: b.subarray(0, n), how: `cut at ${n}` };
  }
  if (kind === 3) {
    const len = 1 + pick(256);
    const from = pick(Math.max(1, other.length - len));
    const to = where();
    b.set(other.subarray(from, from + Math.min(len, b.length - to)), to);
    return { bytes: b, how: `splice ${len} bytes from ${from} to ${to}` };
  }
  const n = 1 + pick(16);
  for (let i = 0; i < n; i++) b[pick(b.length)] = pick(256);
  return { bytes: b, how: `randomize ${n} bytes` };
}

/** Parse, list functions, look names up: returns the error thrown, or null. */
function attempt(bytes: Uint8Array): Error | null {
  try {
    const elf = parseElf(bytes, 'fuzz');
    void elf.buildId;
    const funcs = userFunctions(elf);
    for (const f of funcs.slice(0, 5)) symbolFileOffset(elf, f.vaddr);
    for (const name of ['main', 'vf', 'vf@V1', 'helper']) {
      try {
        resolveUserSymbol(elf, name);
      } catch (e) {
        if (!(e instanceof ProbekitError)) throw e;
      }
    }
    return null;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}

test(`fuzz: ${ITERATIONS} seeded mutations parse or fail with a ProbekitError`, (t) => {
  const seed = Number(process.env['PROBEKIT_FUZZ_SEED'] ?? 0x5eed2026);
  t.diagnostic(`seed ${seed} (rerun with PROBEKIT_FUZZ_SEED=${seed})`);
  const rand = rng(seed);
  const files = corpus();
  const stats = { ok: 0, errors: new Map<string, number>() };
  let slowest = 0;
  for (let i = 0; i < ITERATIONS; i++) {
    const src = files[i % files.length]!;
    const other = files[(i + 1) % files.length]!;
    const { bytes, how } = mutate(src.bytes, other.bytes, rand);
    const t0 = performance.now();
    const outcome = attempt(bytes);
    let ms = performance.now() - t0;
    if (ms >= PER_CASE_MS) {
      // A busy machine can stall any iteration once; a slow parser is slow every time.
      const t1 = performance.now();
      attempt(bytes);
      ms = performance.now() - t1;
    }
    if (outcome instanceof Error && !(outcome instanceof ProbekitError)) {
      assert.fail(`seed ${seed} iteration ${i} (${src.name}, ${how}): ${outcome.stack}`);
    }
    if (outcome instanceof ProbekitError) {
      assert.match(outcome.code, /^E_ELF_/, `seed ${seed} iteration ${i}`);
      stats.errors.set(outcome.code, (stats.errors.get(outcome.code) ?? 0) + 1);
    } else stats.ok++;
    slowest = Math.max(slowest, ms);
    assert.ok(
      ms < PER_CASE_MS,
      `seed ${seed} iteration ${i} (${src.name}, ${how}) took ${ms.toFixed(0)} ms`,
    );
  }
  t.diagnostic(
    `${files.length} files, ${stats.ok} parsed, errors: ${[...stats.errors].map(([c, n]) => `${c}=${n}`).join(' ')}, slowest ${slowest.toFixed(1)} ms`,
  );
  assert.ok(stats.ok > 0 && stats.errors.size > 2, 'the mutations reach both outcomes');
});

test('fuzz: 200 seeded mutations of the system libc', (t) => {
  let libc: Uint8Array;
  try {
    libc = new Uint8Array(readFileSync('/lib/x86_64-linux-gnu/libc.so.6'));
  } catch {
    return t.skip('needs /lib/x86_64-linux-gnu/libc.so.6');
  }
  const seed = Number(process.env['PROBEKIT_FUZZ_SEED'] ?? 0x5eed2026) + 1;
  t.diagnostic(`seed ${seed}`);
  const rand = rng(seed);
  for (let i = 0; i < 200; i++) {
    const { bytes, how } = mutate(libc, libc, rand);
    const t0 = performance.now();
    const outcome = attempt(bytes);
    const ms = performance.now() - t0;
    if (outcome !== null && !(outcome instanceof ProbekitError)) {
      assert.fail(`seed ${seed} iteration ${i} (libc, ${how}): ${outcome.stack}`);
    }
    assert.ok(
      ms < 5 * PER_CASE_MS,
      `seed ${seed} iteration ${i} (libc, ${how}) took ${ms.toFixed(0)} ms`,
    );
  }
});
