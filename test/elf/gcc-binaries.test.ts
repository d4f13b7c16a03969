/**
 * Binaries built here with gcc: every function's file offset must equal what
 * nm (addresses) and readelf -lW (segments) give, computed without src/elf.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  readElfFile,
  resolveUprobeTarget,
  resolveUserSymbol,
  userFunctions,
} from '../../src/elf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { expectedOffset, gcc, have, nm, readelfLoads, tempDir } from './helpers.js';

const MAIN_C = `
#include <stdio.h>
int counter;
__attribute__((noinline)) int add(int a, int b) { return a + b + counter; }
__attribute__((noinline)) static int twice(int x) { return add(x, x); }
int helper_a(void);
int helper_b(void);
int main(int argc, char **argv) { (void)argv; printf("%d\\n", twice(argc) + helper_a() + helper_b()); return 0; }
`;
// Two files each with a static function named \`dup\`: one name, two addresses.
const A_C = `__attribute__((noinline)) static int dup(int x) { return x * 3; } int helper_a(void) { return dup(1); }`;
const B_C = `__attribute__((noinline)) static int dup(int x) { return x * 5 + 1; } int helper_b(void) { return dup(2); }`;
// A shared library with GNU symbol versions: ver_fn@V1 (old) and ver_fn@@V2 (default).
const LIB_C = `
__attribute__((noinline)) int lib_fn(int x) { return x + 1; }
int ver_fn_v1(int x) { return x; }
int ver_fn_v2(int x) { return x * 2; }
__asm__(".symver ver_fn_v1, ver_fn@V1");
__asm__(".symver ver_fn_v2, ver_fn@@V2");
`;
const LIB_MAP = 'V1 { global: lib_fn; ver_fn; local: *; };\nV2 { global: ver_fn; } V1;\n';

const skip =
  !have('gcc') || !have('nm') || !have('readelf') ? 'needs gcc, nm and readelf (binutils)' : false;

describe('gcc-built binaries', { skip }, () => {
  let dir = '';
  let cleanup = () => {};
  before(() => {
    ({ dir, cleanup } = tempDir('elf'));
    const srcs = { 'main.c': MAIN_C, 'a.c': A_C, 'b.c': B_C, 'lib.c': LIB_C, 'lib.map': LIB_MAP };
    gcc(dir, srcs, ['-O1', '-g', '-no-pie', '-fno-pie', '-o', 'nopie', 'main.c', 'a.c', 'b.c']);
    gcc(dir, {}, ['-O1', '-g', '-pie', '-fpie', '-o', 'pie', 'main.c', 'a.c', 'b.c']);
    gcc(dir, {}, [
      '-O1',
      '-shared',
      '-fpic',
      '-Wl,--version-script=lib.map',
      '-o',
      'libdemo.so',
      'lib.c',
    ]);
    gcc(dir, {}, ['-O1', '-s', '-o', 'stripped', 'main.c', 'a.c', 'b.c']);
  });
  after(() => cleanup());

  for (const [file, type] of [
    ['nopie', 'EXEC'],
    ['pie', 'DYN'],
    ['libdemo.so', 'DYN'],
  ] as const) {
    test(`${file}: every function's file offset matches nm + readelf -lW`, () => {
      const path = join(dir, file);
      const elf = readElfFile(path);
      assert.equal(elf.header.type, type);
      assert.equal(elf.header.arch, 'x86_64');
      assert.equal(elf.header.elfClass, 64);
      assert.match(elf.buildId ?? '', /^[0-9a-f]{40}$/);
      const loads = readelfLoads(path);
      assert.deepEqual(
        elf.segments
          .filter((s) => s.typeName === 'LOAD')
          .map((s) => [s.offset, s.vaddr, s.filesz, s.memsz]),
        loads.map((l) => [l.offset, l.vaddr, l.filesz, l.memsz]),
      );
      const funcs = userFunctions(elf);
      const textSyms = [...nm(path), ...(type === 'DYN' ? nm(path, true) : [])].filter((s) =>
        /[TtWi]/.test(s.kind),
      );
      let checked = 0;
      for (const s of textSyms) {
        const plain = s.name.replace(/@.*$/, '');
        const mine = funcs.find((f) => f.name === plain && f.vaddr === s.addr);
        if (mine === undefined) continue; // nm also lists untyped labels; functions are checked below
        assert.equal(mine.fileOffset, expectedOffset(loads, s.addr), `${file}: ${s.name}`);
        checked++;
      }
      // Every function we list is one nm knows at the same address.
      for (const f of funcs) {
        assert.ok(
          textSyms.some((s) => s.name.replace(/@.*$/, '') === f.name && s.addr === f.vaddr),
          `${file}: ${f.displayName}`,
        );
      }
      assert.ok(
        checked >= (file === 'libdemo.so' ? 3 : 6),
        `${file}: only ${checked} functions checked`,
      );
    });
  }

  test('non-PIE: file offset differs from the address, and resolveUserSymbol agrees with nm', () => {
    const path = join(dir, 'nopie');
    const elf = readElfFile(path);
    const loads = readelfLoads(path);
    for (const name of ['main', 'add', 'twice', 'helper_a', 'helper_b']) {
      const addr = nm(path).find((s) => s.name === name)!.addr;
      const r = resolveUserSymbol(elf, name);
      assert.equal(r.vaddr, addr, name);
      assert.equal(r.fileOffset, expectedOffset(loads, addr), name);
      assert.ok(r.fileOffset < r.vaddr, 'a non-PIE text segment sits at 0x400000 and up');
      assert.ok(r.size > 0n);
    }
  });

  test('two static functions with one name: an error that lists both addresses', () => {
    const elf = readElfFile(join(dir, 'pie'));
    const addrs = nm(join(dir, 'pie'))
      .filter((s) => s.name === 'dup')
      .map((s) => `0x${s.addr.toString(16)}`);
    assert.equal(addrs.length, 2);
    assert.throws(
      () => resolveUserSymbol(elf, 'dup'),
      (e: unknown) => {
        assert.ok(e instanceof ProbekitError);
        assert.equal(e.code, 'E_ELF_SYMBOL_AMBIGUOUS');
        assert.match(e.message, /2 different functions are named dup:/);
        for (const a of addrs) assert.ok(e.message.includes(` at ${a} `), `${a} in ${e.message}`);
        assert.match(e.hint ?? '', /u:.*:0xOFFSET/);
        return true;
      },
    );
  });

  test('symbol versions in our own library: ver_fn, ver_fn@@V2, ver_fn@V1', () => {
    const path = join(dir, 'libdemo.so');
    const elf = readElfFile(path);
    const dyn = nm(path, true);
    const v1 = dyn.find((s) => s.name === 'ver_fn@V1')!;
    const v2 = dyn.find((s) => s.name === 'ver_fn@@V2')!;
    assert.notEqual(v1.addr, v2.addr);
    assert.equal(resolveUserSymbol(elf, 'ver_fn').vaddr, v2.addr, 'plain name → default version');
    assert.equal(resolveUserSymbol(elf, 'ver_fn').symbol.displayName, 'ver_fn@@V2');
    assert.equal(resolveUserSymbol(elf, 'ver_fn@@V2').vaddr, v2.addr);
    assert.equal(resolveUserSymbol(elf, 'ver_fn@V2').vaddr, v2.addr);
    assert.equal(resolveUserSymbol(elf, 'ver_fn@V1').vaddr, v1.addr);
    assert.equal(resolveUserSymbol(elf, 'ver_fn@V1').symbol.displayName, 'ver_fn@V1');
    assert.equal(resolveUserSymbol(elf, 'lib_fn').symbol.displayName, 'lib_fn@@V1');
    assert.throws(() => resolveUserSymbol(elf, 'ver_fn@@V1'), {
      code: 'E_ELF_SYMBOL_NOT_FOUND',
      message: `${path}: no function ver_fn@@V1; the versions present are ver_fn@@V2, ver_fn@V1`,
    });
    const names = userFunctions(elf, 'ver_fn*').map((f) => f.displayName);
    assert.deepEqual(names, ['ver_fn@@V2', 'ver_fn@V1', 'ver_fn_v1', 'ver_fn_v2']);
    assert.deepEqual(
      userFunctions(elf, 'ver_fn@?1').map((f) => f.displayName),
      ['ver_fn@V1'],
    );
  });

  test('stripped binary: local functions are gone, imports are named as imports', () => {
    const elf = readElfFile(join(dir, 'stripped'));
    assert.equal(elf.symtab.length, 0);
    assert.throws(() => resolveUserSymbol(elf, 'add'), {
      code: 'E_ELF_SYMBOL_NOT_FOUND',
      message: `${join(dir, 'stripped')}: no function named add (the file is stripped: only exported functions are known)`,
    });
    assert.throws(() => resolveUserSymbol(elf, 'printf'), {
      code: 'E_ELF_SYMBOL_NOT_FOUND',
      message: `${join(dir, 'stripped')}: printf is imported by this file, not defined in it`,
    });
  });

  test('data symbols and misspellings give errors with suggestions', () => {
    const path = join(dir, 'nopie');
    const elf = readElfFile(path);
    assert.throws(() => resolveUserSymbol(elf, 'counter'), { code: 'E_ELF_NOT_FUNCTION' });
    assert.throws(
      () => resolveUserSymbol(elf, 'helper'),
      (e: unknown) => {
        assert.ok(e instanceof ProbekitError);
        assert.equal(e.code, 'E_ELF_SYMBOL_NOT_FOUND');
        assert.deepEqual(e.details['suggestions'], ['helper_a', 'helper_b']);
        assert.equal(
          e.message,
          `${path}: no function named helper; did you mean helper_a, helper_b?`,
        );
        return true;
      },
    );
  });

  test('resolveUprobeTarget: symbol + offset, raw offset, and offsets out of range', () => {
    const path = join(dir, 'nopie');
    const loads = readelfLoads(path);
    const add = nm(path).find((s) => s.name === 'add')!;
    const t = resolveUprobeTarget(path, 'add', 0n);
    assert.equal(t.path, path);
    assert.equal(t.fileOffset, expectedOffset(loads, add.addr));
    const t2 = resolveUprobeTarget(path, 'add', 1n);
    assert.equal(t2.fileOffset, t.fileOffset + 1n);
    const raw = resolveUprobeTarget(path, null, t.fileOffset);
    assert.equal(raw.symbol?.name, 'add');
    assert.throws(() => resolveUprobeTarget(path, 'add', 0x100000n), {
      code: 'E_ELF_OFFSET_OUT_OF_RANGE',
    });
    assert.throws(() => resolveUprobeTarget(path, null, 0x10n), {
      code: 'E_ELF_OFFSET_OUT_OF_RANGE',
      message: `${path}: file offset 0x10 is not inside an executable segment`,
    });
  });
});
