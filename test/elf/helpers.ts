/** Test helpers: build C programs with gcc, read what nm and readelf say, independently of src/elf. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function have(tool: string): boolean {
  return spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `probekit-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Writes `files` into `dir` and runs gcc with `args` there. */
export function gcc(dir: string, files: Record<string, string>, args: readonly string[]): void {
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  execFileSync('gcc', [...args], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
}

export interface NmSymbol {
  readonly addr: bigint;
  readonly kind: string;
  readonly name: string;
}

/** `nm --defined-only` (or `-D` for the dynamic table): address, type letter, name. */
export function nm(path: string, dynamic = false): NmSymbol[] {
  const out = execFileSync('nm', [...(dynamic ? ['-D'] : []), '--defined-only', path], {
    encoding: 'utf8',
  });
  const syms: NmSymbol[] = [];
  for (const line of out.split('\n')) {
    const m = /^([0-9a-f]+) (\S) (.+)$/.exec(line);
    if (m) syms.push({ addr: BigInt(`0x${m[1]}`), kind: m[2]!, name: m[3]! });
  }
  return syms;
}

export interface LoadSegment {
  readonly offset: bigint;
  readonly vaddr: bigint;
  readonly filesz: bigint;
  readonly memsz: bigint;
  readonly flags: string;
}

/** The LOAD lines of `readelf -lW`. */
export function readelfLoads(path: string): LoadSegment[] {
  const out = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' });
  const loads: LoadSegment[] = [];
  const re =
    /^\s*LOAD\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+(0x[0-9a-f]+)\s+(.+?)\s+0x[0-9a-f]+\s*$/;
  for (const line of out.split('\n')) {
    const m = re.exec(line);
    if (m) {
      loads.push({
        offset: BigInt(m[1]!),
        vaddr: BigInt(m[2]!),
        filesz: BigInt(m[3]!),
        memsz: BigInt(m[4]!),
        flags: m[5]!,
      });
    }
  }
  return loads;
}

/** The file offset computed from readelf's segments alone. */
export function expectedOffset(loads: readonly LoadSegment[], addr: bigint): bigint | undefined {
  const seg = loads.find(
    (l) => l.flags.includes('E') && addr >= l.vaddr && addr < l.vaddr + l.filesz,
  );
  return seg === undefined ? undefined : addr - seg.vaddr + seg.offset;
}

/** A small deterministic PRNG (mulberry32) for fuzzing with a printed seed. */
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
