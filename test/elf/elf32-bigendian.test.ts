/** ELF32 and big-endian files: gcc -m32 where it links, and fixtures from a tiny independent writer. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  parseElf,
  readElfFile,
  resolveUserSymbol,
  symbolFileOffset,
  userFunctions,
} from '../../src/elf/index.js';
import { expectedOffset, have, nm, readelfLoads, tempDir } from './helpers.js';
import { TEXT_OFFSET, tinyElf } from './tiny-elf.js';

const FUNCS = [
  { name: 'alpha', at: 0x10, size: 0x20 },
  { name: 'beta', at: 0x40, size: 0x08 },
  { name: 'gamma_long_name', at: 0x80, size: 0x30 },
];

const CASES = [
  { elfClass: 32, endian: 'little', machine: 3, arch: 'i386', base: 0x8048000n },
  { elfClass: 32, endian: 'big', machine: 8, arch: null, base: 0x400000n }, // 32-bit MIPS: no tables
  { elfClass: 32, endian: 'big', machine: 20, arch: null, base: 0x10000000n }, // 32-bit PowerPC
  { elfClass: 64, endian: 'big', machine: 22, arch: 's390x', base: 0x1000000n },
  { elfClass: 64, endian: 'big', machine: 21, arch: 'powerpc64', base: 0x10000000n },
  { elfClass: 64, endian: 'little', machine: 21, arch: 'powerpc64le', base: 0x10000000n },
  { elfClass: 64, endian: 'big', machine: 8, arch: 'mips64', base: 0x120000000n },
  { elfClass: 64, endian: 'little', machine: 183, arch: 'arm64', base: 0x400000n },
  { elfClass: 64, endian: 'little', machine: 243, arch: 'riscv64', base: 0x10000n },
  { elfClass: 64, endian: 'little', machine: 258, arch: 'loongarch64', base: 0x120000000n },
  { elfClass: 64, endian: 'little', machine: 62, arch: 'x86_64', base: 0xffff_ff00_0000_0000n },
] as const;

describe('tiny-writer fixtures in every class and byte order', () => {
  for (const c of CASES) {
    test(`ELF${c.elfClass} ${c.endian}-endian machine ${c.machine} → ${c.arch ?? 'no arch'}`, () => {
      const bytes = tinyElf({
        ...c,
        functions: FUNCS,
        object: { name: 'table', at: 0xc0, size: 0x10 },
      });
      const elf = parseElf(bytes, 'tiny');
      assert.equal(elf.header.elfClass, c.elfClass);
      assert.equal(elf.header.endian, c.endian);
      assert.equal(elf.header.machine, c.machine);
      assert.equal(elf.header.arch, c.arch);
      assert.equal(elf.header.type, 'EXEC');
      assert.equal(elf.header.entry, c.base + BigInt(TEXT_OFFSET));
      assert.deepEqual(
        elf.sections.map((s) => s.name),
        ['', '.text', '.symtab', '.strtab', '.shstrtab'],
      );
      assert.equal(elf.segments.length, 1);
      assert.equal(elf.segments[0]!.typeName, 'LOAD');
      assert.equal(elf.segments[0]!.vaddr, c.base);
      assert.deepEqual(
        elf.symtab.map((s) => [s.name, s.value - c.base, s.size, s.type, s.binding]),
        [
          ...FUNCS.map((f) => [
            f.name,
            BigInt(TEXT_OFFSET + f.at),
            BigInt(f.size),
            'FUNC',
            'GLOBAL',
          ]),
          ['table', BigInt(TEXT_OFFSET + 0xc0), 0x10n, 'OBJECT', 'GLOBAL'],
        ],
      );
      for (const f of FUNCS) {
        const r = resolveUserSymbol(elf, f.name);
        assert.equal(r.fileOffset, BigInt(TEXT_OFFSET + f.at), f.name);
      }
      assert.throws(() => resolveUserSymbol(elf, 'table'), { code: 'E_ELF_NOT_FUNCTION' });
      assert.equal(elf.buildId, null);
    });
  }

  test('readelf agrees with the writer (the fixtures are real ELF files)', {
    skip: have('readelf') ? false : 'needs readelf',
  }, () => {
    const { dir, cleanup } = tempDir('tiny');
    try {
      for (const c of CASES) {
        const path = join(dir, `t${c.elfClass}${c.endian}${c.machine}`);
        writeFileSync(path, tinyElf({ ...c, functions: FUNCS }));
        const out = execFileSync('readelf', ['-hsW', path], { encoding: 'utf8' });
        assert.match(out, new RegExp(`Class:\\s+ELF${c.elfClass}`));
        assert.match(out, new RegExp(`Data:\\s+2's complement, ${c.endian} endian`));
        for (const f of FUNCS) {
          const addr = (c.base + BigInt(TEXT_OFFSET + f.at)).toString(16);
          assert.match(
            out,
            new RegExp(`${addr}\\s+${f.size}\\s+FUNC\\s+GLOBAL\\s+DEFAULT\\s+1 ${f.name}$`, 'm'),
          );
        }
        const elf = readElfFile(path);
        const loads = readelfLoads(path);
        for (const f of userFunctions(elf))
          assert.equal(f.fileOffset, expectedOffset(loads, f.vaddr), f.name);
      }
    } finally {
      cleanup();
    }
  });

  test('32-bit ARM: the Thumb bit of a function address is cleared', () => {
    const bytes = tinyElf({
      elfClass: 32,
      endian: 'little',
      machine: 40,
      base: 0x10000n,
      functions: [{ name: 'thumb_fn', at: 0x21, size: 8 }],
    });
    const elf = parseElf(bytes, 'arm');
    assert.equal(elf.header.arch, 'arm');
    const r = resolveUserSymbol(elf, 'thumb_fn');
    assert.equal(r.vaddr, 0x10000n + BigInt(TEXT_OFFSET + 0x20));
    assert.equal(r.fileOffset, BigInt(TEXT_OFFSET + 0x20));
  });
});

const CODE = `
__attribute__((noinline)) int f32_one(int x) { return x + 1; }
__attribute__((noinline)) static int f32_two(int x) { return f32_one(x) * 2; }
void _start(void) { f32_two(3); for (;;) {} }
`;

describe('gcc -m32 (ELF32 i386)', () => {
  let dir = '';
  let cleanup = () => {};
  let linked = false;
  before(() => {
    ({ dir, cleanup } = tempDir('m32'));
    writeFileSync(join(dir, 'f.c'), CODE);
    try {
      execFileSync('gcc', ['-m32', '-c', '-O1', '-o', 'f.o', 'f.c'], { cwd: dir, stdio: 'pipe' });
      execFileSync('gcc', ['-m32', '-nostdlib', '-static', '-O0', '-o', 'f32', 'f.c'], {
        cwd: dir,
        stdio: 'pipe',
      });
      linked = true;
    } catch {
      linked = false;
    }
  });
  after(() => cleanup());

  test('a static ELF32 executable: offsets match nm + readelf', (t) => {
    if (!linked || !have('nm') || !have('readelf'))
      return t.skip('needs gcc -m32 (gcc-multilib headers) and binutils');
    const path = join(dir, 'f32');
    const elf = readElfFile(path);
    assert.equal(elf.header.elfClass, 32);
    assert.equal(elf.header.arch, 'i386');
    const loads = readelfLoads(path);
    for (const name of ['f32_one', 'f32_two', '_start']) {
      const s = nm(path).find((x) => x.name === name)!;
      const r = resolveUserSymbol(elf, name);
      assert.equal(r.vaddr, s.addr);
      assert.equal(r.fileOffset, expectedOffset(loads, s.addr), name);
    }
  });

  test('an ELF32 relocatable object: symbols read, no segments to place a probe', (t) => {
    if (!linked) return t.skip('needs gcc -m32');
    const elf = readElfFile(join(dir, 'f.o'));
    assert.equal(elf.header.type, 'REL');
    assert.equal(elf.segments.length, 0);
    assert.ok(elf.symtab.some((s) => s.name === 'f32_one' && s.type === 'FUNC'));
    assert.throws(() => symbolFileOffset(elf, 0n), {
      code: 'E_ELF_NO_SEGMENT',
      message: `${join(dir, 'f.o')}: address 0x0 is not in executable code: it has no loadable segments (it is a relocatable object: link it first)`,
    });
  });
});
