/** /etc/ld.so.cache: the real one against `ldconfig -p`, and written fixtures in both formats. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseLdCache, resolveLibrary } from '../../src/elf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { have, tempDir } from './helpers.js';

interface Entry {
  key: string;
  value: string;
  flags: number;
}

/** Writes a cache the way ldconfig lays it out (glibc elf/cache.c), independently of src/elf. */
function writeCache(entries: readonly Entry[], withOld: boolean): Uint8Array {
  const enc = new TextEncoder();
  const oldSize = withOld ? 16 + entries.length * 12 : 0;
  const newAt = withOld ? Math.ceil(oldSize / 8) * 8 : 0;
  const newSize = 48 + entries.length * 24;
  const strings: number[] = [];
  const offsets: [number, number][] = [];
  for (const e of entries) {
    const k = strings.length;
    strings.push(...enc.encode(e.key), 0);
    const v = strings.length;
    strings.push(...enc.encode(e.value), 0);
    offsets.push([k, v]);
  }
  const strAt = newAt + newSize;
  const buf = new Uint8Array(strAt + strings.length);
  const dv = new DataView(buf.buffer);
  if (withOld) {
    buf.set(enc.encode('ld.so-1.7.0'), 0);
    dv.setUint32(12, entries.length, true);
    entries.forEach((e, i) => {
      // Old-format string offsets count from the end of the old table.
      dv.setInt32(16 + i * 12, e.flags & 0xff, true);
      dv.setUint32(20 + i * 12, strAt - oldSize + offsets[i]![0], true);
      dv.setUint32(24 + i * 12, strAt - oldSize + offsets[i]![1], true);
    });
  }
  buf.set(enc.encode('glibc-ld.so.cache1.1'), newAt);
  dv.setUint32(newAt + 20, entries.length, true);
  dv.setUint32(newAt + 24, strings.length, true);
  buf[newAt + 28] = 2; // little-endian
  entries.forEach((e, i) => {
    const o = newAt + 48 + i * 24;
    // New-format string offsets count from the start of the new header.
    dv.setInt32(o, e.flags, true);
    dv.setUint32(o + 4, strAt - newAt + offsets[i]![0], true);
    dv.setUint32(o + 8, strAt - newAt + offsets[i]![1], true);
  });
  buf.set(strings, strAt);
  return buf;
}

const SAMPLE: Entry[] = [
  { key: 'libfoo.so.1', value: '/opt/x/libfoo.so.1', flags: 0x0303 },
  { key: 'libfoo.so.1', value: '/opt/x32/libfoo.so.1', flags: 0x0003 },
  { key: 'libbar.so', value: '/opt/x/libbar.so', flags: 0x0303 },
];

describe('ld.so.cache', () => {
  test('the real cache lists what ldconfig -p lists', {
    skip:
      existsSync('/etc/ld.so.cache') && have('ldconfig')
        ? false
        : 'needs /etc/ld.so.cache and ldconfig',
  }, () => {
    const mine = parseLdCache(readFileSync('/etc/ld.so.cache'));
    const out = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
    const lines = out.split('\n').filter((l) => l.includes(' => '));
    assert.equal(Number(/^(\d+) libs found/.exec(out)?.[1]), mine.length);
    assert.equal(lines.length, mine.length);
    for (const line of lines) {
      const m = /^\s*(\S+) \(([^)]*)\) => (\S+)$/.exec(line)!;
      const e = mine.find((x) => x.key === m[1] && x.value === m[3]);
      assert.ok(e !== undefined, line);
      if (m[2] === 'libc6,x86-64') assert.equal(e.flags, 0x0303, line);
      if (m[2] === 'libc6') assert.equal(e.flags, 0x0003, line);
    }
  });

  test('new format alone and behind an old-format table read the same', () => {
    const a = parseLdCache(writeCache(SAMPLE, false), 'a');
    const b = parseLdCache(writeCache(SAMPLE, true), 'b');
    assert.deepEqual(a, SAMPLE);
    assert.deepEqual(b, SAMPLE);
  });

  test('old format alone', () => {
    const withOld = writeCache(SAMPLE, true);
    const dv = new DataView(withOld.buffer);
    const oldEnd = 16 + SAMPLE.length * 12;
    // Drop the new header: keep the old table and the strings, with offsets from the old table's end.
    const strAt = Math.ceil(oldEnd / 8) * 8 + 48 + SAMPLE.length * 24;
    const only = new Uint8Array(oldEnd + withOld.length - strAt);
    only.set(withOld.subarray(0, oldEnd));
    only.set(withOld.subarray(strAt), oldEnd);
    const odv = new DataView(only.buffer);
    SAMPLE.forEach((_, i) => {
      odv.setUint32(20 + i * 12, dv.getUint32(20 + i * 12, true) - (strAt - oldEnd), true);
      odv.setUint32(24 + i * 12, dv.getUint32(24 + i * 12, true) - (strAt - oldEnd), true);
    });
    assert.deepEqual(
      parseLdCache(only, 'old'),
      SAMPLE.map((e) => ({ ...e, flags: e.flags & 0xff })),
    );
  });

  test('corrupt caches give E_ELF_BAD_LDCACHE', () => {
    const good = writeCache(SAMPLE, false);
    const cases: [string, Uint8Array, string][] = [
      [
        'not a cache',
        new TextEncoder().encode('hello world, not a cache'),
        'c: not an ld.so.cache: it starts with neither "glibc-ld.so.cache1.1" nor "ld.so-1.7.0"',
      ],
      ['cut header', good.subarray(0, 30), 'c: the header at 0x0 is cut short'],
      [
        'cut table',
        good.subarray(0, 60),
        'c: the table of 3 entries at 0x30 runs past the end (file size 0x3c)',
      ],
    ];
    const huge = good.slice();
    new DataView(huge.buffer).setUint32(20, 0x10000000, true);
    cases.push([
      'huge count',
      huge,
      'c: the table of 268435456 entries at 0x30 runs past the end (file size 0x' +
        good.length.toString(16) +
        ')',
    ]);
    const wild = good.slice();
    new DataView(wild.buffer).setUint32(48 + 4, 0x7fffff00, true);
    cases.push(['wild string', wild, 'c: entry 0 has a string offset 0x7fffff00 past the end']);
    const nonul = good.slice();
    nonul[nonul.length - 1] = 0x41;
    cases.push([
      'no NUL',
      nonul,
      `c: entry 2 has a string at 0x${(nonul.lastIndexOf(0) + 1).toString(16)} with no terminating NUL`,
    ]);
    for (const [what, bytes, message] of cases) {
      assert.throws(
        () => parseLdCache(bytes, 'c'),
        (e: unknown) =>
          e instanceof ProbekitError && e.code === 'E_ELF_BAD_LDCACHE' && e.message === message,
        what,
      );
    }
    for (let n = 0; n < good.length; n++) {
      try {
        parseLdCache(good.subarray(0, n), 'c');
      } catch (e) {
        assert.ok(e instanceof ProbekitError, `cut at ${n}`);
      }
    }
  });

  test('resolveLibrary uses the cache with the host arch flags only', {
    skip: process.arch === 'x64' && have('gcc') ? false : 'needs x86_64 and gcc',
  }, () => {
    const { dir, cleanup } = tempDir('ldc');
    try {
      writeFileSync(join(dir, 'f.c'), 'int f(void){return 1;}');
      execFileSync('gcc', ['-shared', '-fpic', '-o', 'libfoo.so.1', 'f.c'], { cwd: dir });
      writeFileSync(join(dir, 'g.c'), 'int g(void){return 2;}');
      execFileSync('gcc', ['-shared', '-fpic', '-o', 'libfoo.so.2', 'g.c'], { cwd: dir });
      copyFileSync(join(dir, 'libfoo.so.1'), join(dir, 'libfoo32.so.1'));
      const cache = join(dir, 'ld.so.cache');
      writeFileSync(
        cache,
        writeCache(
          [
            { key: 'libfoo.so.1', value: join(dir, 'libfoo.so.1'), flags: 0x0303 },
            { key: 'libfoo.so.1', value: join(dir, 'libfoo32.so.1'), flags: 0x0003 },
            { key: 'libtwo.so.1', value: join(dir, 'libfoo.so.1'), flags: 0x0303 },
            { key: 'libtwo.so.2', value: join(dir, 'libfoo.so.2'), flags: 0x0303 },
          ],
          false,
        ),
      );
      const opts = { ldCachePath: cache, searchDirs: [] };
      assert.equal(resolveLibrary('foo', opts), join(dir, 'libfoo.so.1'));
      assert.equal(resolveLibrary('libfoo', opts), join(dir, 'libfoo.so.1'));
      assert.equal(resolveLibrary('libtwo.so.2', opts), join(dir, 'libfoo.so.2'));
      assert.throws(() => resolveLibrary('two', opts), {
        code: 'E_ELF_LIBRARY_AMBIGUOUS',
        message: `2 different files match two in ${cache}:\n  ${join(dir, 'libfoo.so.1')}\n  ${join(dir, 'libfoo.so.2')}`,
      });
      assert.throws(
        () => resolveLibrary('fooo', opts),
        (e: unknown) => {
          assert.ok(e instanceof ProbekitError);
          assert.equal(e.code, 'E_ELF_LIBRARY_NOT_FOUND');
          assert.deepEqual(e.details['suggestions'], ['libfoo']);
          return true;
        },
      );
    } finally {
      cleanup();
    }
  });
});
