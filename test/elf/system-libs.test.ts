/** The system's own libc, found by short name through /etc/ld.so.cache, checked against ldconfig, nm and readelf. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  listUserFunctions,
  readElfFile,
  resolveLibrary,
  resolveUprobeTarget,
  resolveUserSymbol,
  userFunctions,
  userResolver,
} from '../../src/elf/index.js';
import { expectedOffset, have, nm, readelfLoads } from './helpers.js';

/** What `ldconfig -p` says libc.so.6 is for this machine's ABI. */
function ldconfigLibc(): string | undefined {
  const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
  const abi = process.arch === 'x64' ? 'libc6,x86-64' : null;
  for (const line of out.split('\n')) {
    const m = /^\s*libc\.so\.6 \(([^)]*)\) => (\S+)$/.exec(line);
    if (m && (abi === null || m[1] === abi)) return m[2];
  }
  return undefined;
}

const skip =
  process.arch !== 'x64'
    ? 'needs an x86_64 glibc system'
    : !existsSync('/etc/ld.so.cache') || !have('nm') || !have('readelf')
      ? 'needs /etc/ld.so.cache, nm and readelf'
      : false;

describe('system libc', { skip }, () => {
  test('libc, c and libc.so.6 resolve to the path ldconfig -p gives', () => {
    const want = ldconfigLibc();
    assert.ok(want !== undefined, 'ldconfig -p lists libc.so.6');
    assert.equal(resolveLibrary('libc'), want);
    assert.equal(resolveLibrary('c'), want);
    assert.equal(resolveLibrary('libc.so.6'), want);
  });

  test('with a pid, the library the process has mapped is used', () => {
    const p = resolveLibrary('libc', { pid: process.pid });
    assert.equal(realpathSync(p), realpathSync(ldconfigLibc()!));
    const maps = execFileSync('cat', [`/proc/${process.pid}/maps`], { encoding: 'utf8' });
    assert.ok(maps.includes(p), `${p} is in /proc/${process.pid}/maps`);
  });

  test('symbol table load time (reported)', (t) => {
    const path = resolveLibrary('libc');
    const t0 = performance.now();
    const elf = readElfFile(path);
    const t1 = performance.now();
    const n = elf.dynsym.length;
    const t2 = performance.now();
    t.diagnostic(
      `libc: read+headers ${(t1 - t0).toFixed(1)} ms, ${n} .dynsym symbols in ${(t2 - t1).toFixed(1)} ms`,
    );
    assert.ok(n > 1000);
    assert.ok(t2 - t0 < 2000, 'loads in under 2 s even on a busy machine');
  });

  test('every libc function: file offset from nm -D + readelf -lW', () => {
    const path = resolveLibrary('libc');
    const elf = readElfFile(path);
    const loads = readelfLoads(path);
    const funcs = userFunctions(elf);
    const dyn = nm(path, true).filter((s) => /[TWi]/.test(s.kind));
    assert.ok(dyn.length > 1000);
    for (const s of dyn) {
      const mine = funcs.find((f) => f.displayName === s.name);
      assert.ok(mine !== undefined, `${s.name} listed`);
      assert.equal(mine.vaddr, s.addr, s.name);
      assert.equal(mine.fileOffset, expectedOffset(loads, s.addr), s.name);
      assert.equal(mine.type, s.kind === 'i' ? 'IFUNC' : 'FUNC', s.name);
    }
    assert.equal(funcs.length, dyn.length);
  });

  test('versioned names: malloc, malloc@@GLIBC_2.2.5; memcpy has two versions', () => {
    const path = resolveLibrary('libc');
    const elf = readElfFile(path);
    const dyn = nm(path, true);
    const malloc = dyn.find((s) => s.name === 'malloc@@GLIBC_2.2.5')!;
    assert.equal(resolveUserSymbol(elf, 'malloc').vaddr, malloc.addr);
    assert.equal(resolveUserSymbol(elf, 'malloc').symbol.displayName, 'malloc@@GLIBC_2.2.5');
    assert.equal(resolveUserSymbol(elf, 'malloc@@GLIBC_2.2.5').vaddr, malloc.addr);
    const memcpy = dyn.filter((s) => s.name.startsWith('memcpy@'));
    assert.ok(memcpy.length >= 2, 'libc has an old and a new memcpy');
    const dflt = memcpy.find((s) => s.name.includes('@@'))!;
    assert.equal(resolveUserSymbol(elf, 'memcpy').vaddr, dflt.addr, 'plain name → default version');
    for (const s of memcpy) assert.equal(resolveUserSymbol(elf, s.name).vaddr, s.addr, s.name);
  });

  test('IFUNC: strlen resolves, with a note that the resolver is probed', () => {
    const elf = readElfFile(resolveLibrary('libc'));
    const r = resolveUserSymbol(elf, 'strlen');
    assert.equal(r.symbol.type, 'IFUNC');
    assert.match(r.note ?? '', /^strlen is an IFUNC: this probes its resolver/);
    assert.equal(nm(elf.name, true).find((s) => s.name.startsWith('strlen@'))?.kind, 'i');
  });

  test('misspelled function: near names suggested', () => {
    const elf = readElfFile(resolveLibrary('libc'));
    assert.throws(
      () => resolveUserSymbol(elf, 'mallocc'),
      (e: unknown) => {
        assert.ok(e instanceof Error && 'details' in e);
        const s = (e as { details: { suggestions: string[] } }).details.suggestions;
        assert.ok(s.length <= 5 && s[0] === 'malloc', String(s));
        return true;
      },
    );
  });

  test('resolveUprobeTarget(libc, malloc) gives the real path; listUserFunctions filters by glob', () => {
    const t = resolveUprobeTarget('libc', 'malloc', 0n);
    assert.equal(t.path, realpathSync(resolveLibrary('libc')));
    assert.equal(t.symbol?.name, 'malloc');
    const list = listUserFunctions('libc', 'mall?c');
    assert.deepEqual(
      list.map((f) => f.displayName),
      ['malloc@@GLIBC_2.2.5'],
    );
    const all = listUserFunctions('libc', 'str*');
    assert.ok(all.length > 20);
    assert.ok(all.every((f) => f.name.startsWith('str')));
    const sorted = [...all].sort((a, b) => (a.displayName < b.displayName ? -1 : 1));
    assert.deepEqual(all, sorted);
  });

  test('userResolver gives the planner real path + file offset', () => {
    const resolve = userResolver();
    const t = resolveUprobeTarget('libc', 'malloc', 0n);
    assert.deepEqual(resolve('libc', 'malloc'), { path: t.path, offset: t.fileOffset });
    assert.throws(() => resolve('libc', 'no_such_fn_xyz'), { code: 'E_ELF_SYMBOL_NOT_FOUND' });
  });
});
