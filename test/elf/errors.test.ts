/** Truncated, non-ELF and hostile files: always a ProbekitError with an exact message, never a crash. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { type ElfFile, parseElf, readElfFile, resolveUserSymbol } from '../../src/elf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { have, rng, tempDir } from './helpers.js';
import { tinyElf } from './tiny-elf.js';

const tiny = (): Uint8Array =>
  tinyElf({
    elfClass: 64,
    endian: 'little',
    machine: 62,
    base: 0x400000n,
    functions: [
      { name: 'alpha', at: 0x10, size: 0x20 },
      { name: 'beta', at: 0x40, size: 8 },
    ],
  });

/** Parse, load both symbol tables and look a name up: the full path a probe takes. */
function exercise(bytes: Uint8Array, name = 'f'): ElfFile {
  const elf = parseElf(bytes, name);
  void elf.symbols;
  void elf.buildId;
  try {
    resolveUserSymbol(elf, 'alpha');
  } catch (e) {
    if (!(e instanceof ProbekitError)) throw e;
    if (
      ![
        'E_ELF_SYMBOL_NOT_FOUND',
        'E_ELF_NO_SEGMENT',
        'E_ELF_SYMBOL_AMBIGUOUS',
        'E_ELF_NOT_FUNCTION',
      ].includes(e.code)
    )
      throw e;
  }
  return elf;
}

function expectElfError(fn: () => unknown, code: string, message?: string): ProbekitError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(
    caught instanceof ProbekitError,
    `expected ProbekitError ${code}, got ${String(caught)}`,
  );
  assert.equal(caught.code, code, caught.message);
  if (message !== undefined) assert.equal(caught.message, message);
  assert.ok(caught.hint, 'every error has a hint');
  return caught;
}

// Offsets in the tiny 64-bit fixture (see tiny-elf.ts).
const E_SHOFF = 40;
const E_SHENTSIZE = 58;
const E_SHNUM = 60;
const E_SHSTRNDX = 62;

describe('truncated files', () => {
  test('every prefix of a small binary', () => {
    const full = tiny();
    exercise(full);
    expectElfError(
      () => exercise(full.subarray(0, 0)),
      'E_ELF_NOT_ELF',
      'f: not an ELF file: the file is empty',
    );
    for (let n = 1; n < 16; n++) {
      expectElfError(
        () => exercise(full.subarray(0, n)),
        'E_ELF_TRUNCATED',
        n < 4
          ? undefined
          : `f: the file is ${n} bytes long, too short for the 16-byte ELF identification`,
      );
    }
    expectElfError(
      () => exercise(full.subarray(0, 40)),
      'E_ELF_TRUNCATED',
      'f: ELF64 file header at offset 0x0 (64 bytes) runs past the end of the file (size 0x28)',
    );
    const shoff = Number(new DataView(full.buffer).getBigUint64(E_SHOFF, true));
    expectElfError(
      () => exercise(full.subarray(0, shoff + 10)),
      'E_ELF_TRUNCATED',
      `f: section header table (5 entries of 64 bytes) at offset ${`0x${shoff.toString(16)}`} (320 bytes) runs past the end of the file (size ${`0x${(shoff + 10).toString(16)}`})`,
    );
    for (let n = 1; n < full.length; n++)
      expectElfError(() => exercise(full.subarray(0, n)), 'E_ELF_TRUNCATED');
  });

  test('every prefix up to 4 KiB and 300 random cuts of a gcc binary', {
    skip: have('gcc') ? false : 'needs gcc',
  }, () => {
    const { dir, cleanup } = tempDir('cut');
    try {
      writeFileSync(
        join(dir, 'm.c'),
        'int alpha(int x){return x+1;} int main(void){return alpha(1);}',
      );
      execFileSync('gcc', ['-O1', '-o', 'm', 'm.c'], { cwd: dir });
      const full = new Uint8Array(readFileSync(join(dir, 'm')));
      exercise(full);
      for (let n = 0; n < Math.min(4096, full.length); n++) {
        assert.throws(() => exercise(full.subarray(0, n)), ProbekitError);
      }
      const seed = 20261126;
      const rand = rng(seed);
      for (let i = 0; i < 300; i++) {
        const n = Math.floor(rand() * full.length);
        try {
          exercise(full.subarray(0, n));
        } catch (e) {
          assert.ok(e instanceof ProbekitError, `seed ${seed} cut ${n}: ${String(e)}`);
          assert.match(e.code, /^E_ELF_/);
        }
      }
    } finally {
      cleanup();
    }
  });
});

describe('wrong kinds of file', () => {
  test('not ELF, a directory, a missing file', () => {
    const { dir, cleanup } = tempDir('kinds');
    try {
      const script = join(dir, 'script.sh');
      writeFileSync(script, '#!/bin/sh\necho hi\n');
      expectElfError(
        () => readElfFile(script),
        'E_ELF_NOT_ELF',
        `${script}: not an ELF file: it starts with bytes 23 21 2f 62, not 7f 45 4c 46 ("\\x7fELF")`,
      );
      const e = expectElfError(
        () => readElfFile(dir),
        'E_ELF_NOT_REGULAR',
        `${dir}: not a regular file (it is a directory)`,
      );
      assert.equal(e.exitCode, 2);
      expectElfError(
        () => readElfFile(join(dir, 'nope')),
        'E_ELF_FILE_NOT_FOUND',
        `${join(dir, 'nope')}: no such file`,
      );
      expectElfError(() => readElfFile(join(script, 'x')), 'E_ELF_FILE_NOT_FOUND');
    } finally {
      cleanup();
    }
  });

  test('unknown class, byte order and version', () => {
    for (const [at, value, message] of [
      [4, 3, 'f: unknown ELF class 3 at offset 0x4 (expected 1 for ELF32 or 2 for ELF64)'],
      [5, 0, 'f: unknown ELF byte order 0 at offset 0x5 (expected 1 little or 2 big endian)'],
      [6, 2, 'f: unknown ELF version 2 at offset 0x6 (expected 1)'],
    ] as const) {
      const b = tiny();
      b[at] = value;
      expectElfError(() => parseElf(b, 'f'), 'E_ELF_UNSUPPORTED', message);
    }
  });
});

describe('hostile headers and tables', () => {
  const mutate = (f: (v: DataView, b: Uint8Array) => void): Uint8Array => {
    const b = tiny();
    f(new DataView(b.buffer), b);
    return b;
  };
  const shoffOf = (b: Uint8Array) => Number(new DataView(b.buffer).getBigUint64(E_SHOFF, true));
  /** Offset of field `field` of section header `i`. */
  const sh = (b: Uint8Array, i: number, field: number) => shoffOf(b) + i * 64 + field;

  test('huge e_shnum', () => {
    const b = mutate((v) => v.setUint16(E_SHNUM, 0xfff0, true));
    const e = expectElfError(() => parseElf(b, 'f'), 'E_ELF_TRUNCATED');
    assert.match(
      e.message,
      /^f: section header table \(65520 entries of 64 bytes\) at offset 0x[0-9a-f]+ \(4193280 bytes\) runs past the end of the file \(size 0x[0-9a-f]+\)$/,
    );
  });

  test('e_shoff past the end, and near 2^64', () => {
    const b = mutate((v) => v.setBigUint64(E_SHOFF, 0x100000n, true));
    expectElfError(
      () => parseElf(b, 'f'),
      'E_ELF_TRUNCATED',
      `f: section header table (5 entries of 64 bytes) at offset 0x100000 (320 bytes) runs past the end of the file (size 0x${b.length.toString(16)})`,
    );
    const c = mutate((v) => v.setBigUint64(E_SHOFF, 0xffffffffffffffc0n, true));
    expectElfError(() => parseElf(c, 'f'), 'E_ELF_TRUNCATED');
  });

  test('e_shentsize too small, e_shstrndx out of range', () => {
    expectElfError(
      () =>
        parseElf(
          mutate((v) => v.setUint16(E_SHENTSIZE, 8, true)),
          'f',
        ),
      'E_ELF_BAD_HEADER',
      'f: e_shentsize at offset 0x3a is 8, smaller than the 64 bytes of an ELF64 entry',
    );
    expectElfError(
      () =>
        parseElf(
          mutate((v) => v.setUint16(E_SHSTRNDX, 9, true)),
          'f',
        ),
      'E_ELF_BAD_HEADER',
      'f: e_shstrndx 9 at offset 0x3e is not a section index (the file has 5 sections)',
    );
  });

  test('extended numbering: e_shnum 0 with the count in section 0 still parses', () => {
    const b = mutate((v, bb) => {
      v.setUint16(E_SHNUM, 0, true);
      v.setBigUint64(sh(bb, 0, 32), 5n, true);
    });
    assert.equal(parseElf(b, 'f').sections.length, 5);
  });

  test('symbol name offset outside the string table (found lazily, on first use)', () => {
    const b = mutate((v, bb) => {
      const symtab = Number(v.getBigUint64(sh(bb, 2, 24), true));
      v.setUint32(symtab + 24, 0x7fffffff, true); // symbol 1's st_name
    });
    const elf = parseElf(b, 'f');
    const e = expectElfError(() => elf.symtab, 'E_ELF_BAD_STRING');
    assert.match(
      e.message,
      /^f: symbol 1 of section 2 \(\.symtab\) at offset 0x[0-9a-f]+ has name offset 0x7fffffff, beyond the 0xc bytes of string table \.strtab \(section 3\)$/,
    );
  });

  test('string table without a final NUL', () => {
    const b = mutate((v, bb) => {
      const off = Number(v.getBigUint64(sh(bb, 3, 24), true));
      const size = Number(v.getBigUint64(sh(bb, 3, 32), true));
      bb.fill(0x41, off, off + size);
    });
    expectElfError(() => parseElf(b, 'f').symtab, 'E_ELF_BAD_STRING');
  });

  test('symbol table linked to a non-string section, and a bad entry size', () => {
    expectElfError(
      () =>
        parseElf(
          mutate((v, bb) => v.setUint32(sh(bb, 2, 40), 1, true)),
          'f',
        ).symtab,
      'E_ELF_BAD_TABLE',
      'f: section 2 (.symtab) links to section 1 for its names, which is not a string table',
    );
    expectElfError(
      () =>
        parseElf(
          mutate((v, bb) => v.setBigUint64(sh(bb, 2, 56), 3n, true)),
          'f',
        ).symtab,
      'E_ELF_BAD_TABLE',
      'f: section 2 (.symtab) has entry size 3, but an ELF64 symbol is 24 bytes',
    );
  });

  test('a symbol table whose size is huge', () => {
    const b = mutate((v, bb) => v.setBigUint64(sh(bb, 2, 32), 0xffffffffffffn, true));
    expectElfError(() => parseElf(b, 'f').symtab, 'E_ELF_TRUNCATED');
  });

  test('overlapping tables: symbols read from the section header table give an error or garbage, never a crash', () => {
    const b = mutate((v, bb) => v.setBigUint64(sh(bb, 2, 24), BigInt(shoffOf(bb)), true));
    try {
      exercise(b);
    } catch (e) {
      assert.ok(e instanceof ProbekitError);
    }
  });

  test('names that overlap without end cannot make lookups quadratic', () => {
    // 20,000 symbols, each naming a different offset into one 64 KiB run without a NUL until the end.
    const count = 20000;
    const strSize = 65536;
    const symtab = tiny();
    const b = new Uint8Array(symtab.length + count * 24 + strSize);
    b.set(symtab);
    const v = new DataView(b.buffer);
    const symOff = symtab.length;
    const strOff = symOff + count * 24;
    for (let i = 1; i < count; i++) {
      v.setUint32(symOff + i * 24, i, true);
      b[symOff + i * 24 + 4] = 0x12;
    }
    b.fill(0x61, strOff, strOff + strSize - 1);
    const shoff = shoffOf(b);
    v.setBigUint64(shoff + 2 * 64 + 24, BigInt(symOff), true);
    v.setBigUint64(shoff + 2 * 64 + 32, BigInt(count * 24), true);
    v.setBigUint64(shoff + 3 * 64 + 24, BigInt(strOff), true);
    v.setBigUint64(shoff + 3 * 64 + 32, BigInt(strSize), true);
    const t0 = performance.now();
    expectElfError(() => parseElf(b, 'f').symtab, 'E_ELF_BAD_STRING');
    assert.ok(performance.now() - t0 < 1000, 'gives up quickly');
  });
});

describe('hostile version tables', { skip: have('gcc') ? false : 'needs gcc' }, () => {
  test('a version chain pointing outside its section, and an undeclared version index', () => {
    const { dir, cleanup } = tempDir('ver');
    try {
      writeFileSync(join(dir, 'l.c'), 'int vf(int x){return x;}');
      writeFileSync(join(dir, 'l.map'), 'V1 { global: vf; local: *; };');
      execFileSync('gcc', ['-shared', '-fpic', '-Wl,--version-script=l.map', '-o', 'l.so', 'l.c'], {
        cwd: dir,
      });
      const good = new Uint8Array(readFileSync(join(dir, 'l.so')));
      const elf = parseElf(good, 'l.so');
      assert.equal(resolveUserSymbol(elf, 'vf').symbol.displayName, 'vf@@V1');
      const verdef = elf.section('.gnu.version_d')!;
      const bad = good.slice();
      new DataView(bad.buffer).setUint32(Number(verdef.offset) + 16, 0x10000000, true); // vd_next
      const e = expectElfError(() => parseElf(bad, 'l.so').dynsym, 'E_ELF_BAD_TABLE');
      assert.match(
        e.message,
        /^l\.so: version definition 1 at offset 0x[0-9a-f]+ lies outside section \d+ \(\.gnu\.version_d, 0x[0-9a-f]+\.\.0x[0-9a-f]+\)$/,
      );

      const versym = elf.section('.gnu.version')!;
      const idx = elf.dynsym.find((s) => s.name === 'vf')!.index;
      const bad2 = good.slice();
      new DataView(bad2.buffer).setUint16(Number(versym.offset) + 2 * idx, 0x55, true);
      const e2 = expectElfError(() => parseElf(bad2, 'l.so').dynsym, 'E_ELF_BAD_TABLE');
      assert.match(
        e2.message,
        /has version index 85 .* which no version definition or requirement declares$/,
      );
    } finally {
      cleanup();
    }
  });
});

describe('large tables', () => {
  test('200,000 symbols load without stack or time trouble', () => {
    const functions = Array.from({ length: 200_000 }, (_, i) => ({
      name: `fn_${i}`,
      at: i % 0xf0,
      size: 1,
    }));
    const bytes = tinyElf({
      elfClass: 64,
      endian: 'little',
      machine: 62,
      base: 0x400000n,
      functions,
    });
    const t0 = performance.now();
    const elf = parseElf(bytes, 'big');
    assert.equal(elf.symtab.length, 200_000);
    assert.equal(resolveUserSymbol(elf, 'fn_199999').symbol.name, 'fn_199999');
    assert.ok(performance.now() - t0 < 5000);
  });

  test('many note sections over one area are scanned once', () => {
    const b = tiny();
    const v = new DataView(b.buffer);
    const shoff = Number(v.getBigUint64(E_SHOFF, true));
    // Make every section a note covering the whole file.
    for (let i = 1; i < 5; i++) {
      v.setUint32(shoff + i * 64 + 4, 7, true);
      v.setBigUint64(shoff + i * 64 + 24, 0n, true);
      v.setBigUint64(shoff + i * 64 + 32, BigInt(b.length), true);
    }
    assert.equal(parseElf(b, 'f').buildId, null);
  });
});
