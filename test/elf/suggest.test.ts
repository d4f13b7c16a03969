import assert from 'node:assert/strict';
import { test } from 'node:test';
import { matchesLibraryName, parseSymbolQuery } from '../../src/elf/index.js';
import { editDistance, globToRegExp, nearNames } from '../../src/util/names.js';

test('edit distance with a limit', () => {
  assert.equal(editDistance('malloc', 'malloc', 2), 0);
  assert.equal(editDistance('mallocc', 'malloc', 2), 1);
  assert.equal(editDistance('kitten', 'sitting', 5), 3);
  assert.equal(editDistance('abc', 'xyzxyz', 2), 3, 'gives up at limit + 1');
});

test('near names: prefixes first, then edit distance, at most 5', () => {
  const names = [
    'malloc',
    'calloc',
    'realloc',
    'malloc_trim',
    'malloc_stats',
    'free',
    'mallopt',
    'valloc',
    'pvalloc',
  ];
  assert.deepEqual(nearNames('malloc_', names).slice(0, 3), [
    'malloc',
    'malloc_trim',
    'malloc_stats',
  ]);
  assert.equal(nearNames('mallco', names)[0], 'malloc');
  assert.ok(nearNames('m', names.concat(names.map((n) => `m${n}`))).length <= 5);
  assert.deepEqual(nearNames('zzzzzz', names), []);
});

test('symbol queries: plain, @ and @@', () => {
  assert.deepEqual(parseSymbolQuery('malloc'), {
    name: 'malloc',
    version: null,
    defaultOnly: false,
  });
  assert.deepEqual(parseSymbolQuery('malloc@GLIBC_2.2.5'), {
    name: 'malloc',
    version: 'GLIBC_2.2.5',
    defaultOnly: false,
  });
  assert.deepEqual(parseSymbolQuery('malloc@@GLIBC_2.2.5'), {
    name: 'malloc',
    version: 'GLIBC_2.2.5',
    defaultOnly: true,
  });
});

test('globs: * and ? only, everything else literal', () => {
  assert.ok(globToRegExp('str*').test('strlen'));
  assert.ok(globToRegExp('mall?c').test('malloc'));
  assert.ok(!globToRegExp('mall?c').test('mallooc'));
  assert.ok(globToRegExp('a.b+c').test('a.b+c'));
  assert.ok(!globToRegExp('a.b').test('axb'));
  assert.ok(globToRegExp('*@@GLIBC_2.2.5').test('malloc@@GLIBC_2.2.5'));
});

test('library short names', () => {
  assert.ok(matchesLibraryName('libc.so.6', 'libc'));
  assert.ok(matchesLibraryName('libc.so.6', 'c'));
  assert.ok(matchesLibraryName('libc.so.6', 'libc.so.6'));
  assert.ok(!matchesLibraryName('libcap.so.2', 'libc'));
  assert.ok(!matchesLibraryName('libcrypt.so.1', 'c'));
  assert.ok(matchesLibraryName('libpthread.so.0', 'pthread'));
});
