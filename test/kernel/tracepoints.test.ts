import assert from 'node:assert/strict';
import { test } from 'node:test';
import { syscallNamesFor } from '../../src/kernel/syscalls.js';
import { parseFormatFields } from '../../src/kernel/tracepoints.js';
import { editDistance, globToRegExp, nearNames } from '../../src/util/names.js';
import { fixture } from './fixtures.js';

test('parseFormatFields reads sys_enter_openat (captured on 6.18)', () => {
  const fields = parseFormatFields(fixture('format-syscalls-sys_enter_openat.txt'));
  assert.deepEqual(
    fields.map((f) => f.name),
    [
      'common_type',
      'common_flags',
      'common_preempt_count',
      'common_pid',
      '__syscall_nr',
      'dfd',
      'filename',
      'flags',
      'mode',
    ],
  );
  const filename = fields.find((f) => f.name === 'filename');
  assert.deepEqual(filename, {
    name: 'filename',
    type: 'const char *',
    offset: 24,
    size: 8,
    signed: false,
    common: false,
  });
  assert.equal(fields.find((f) => f.name === 'common_pid')?.signed, true);
  assert.equal(fields.filter((f) => f.common).length, 4);
});

test('parseFormatFields keeps array suffixes in the type', () => {
  const [f] = parseFormatFields('\tfield:char prev_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n');
  assert.deepEqual(f, {
    name: 'prev_comm',
    type: 'char[16]',
    offset: 8,
    size: 16,
    signed: false,
    common: false,
  });
  const [d] = parseFormatFields('\tfield:__data_loc char[] name;\toffset:8;\tsize:4;\tsigned:0;\n');
  assert.equal(d?.name, 'name');
  assert.equal(d?.type, '__data_loc char[]');
});

test('editDistance gives up beyond the bound', () => {
  assert.equal(editDistance('vfs_raed', 'vfs_read', 3), 2);
  assert.equal(editDistance('abc', 'abcdefgh', 2), 3);
});

test('nearNames ranks by distance, then prefixes, at most the limit', () => {
  const names = ['vfs_read', 'vfs_readv', 'vfs_write', 'do_sys_open', 'vfs_readlink', 'x'];
  assert.deepEqual(nearNames('vfs_raed', names, 2), ['vfs_read', 'vfs_readv']);
  assert.deepEqual(nearNames('vfs_readl', names), ['vfs_read', 'vfs_readv', 'vfs_readlink']);
  assert.deepEqual(nearNames('zzzzzzzz', names), []);
});

test('globToRegExp: * ? [..] [!..], anchored, dots literal', () => {
  assert.ok(globToRegExp('vfs_*').test('vfs_read'));
  assert.ok(!globToRegExp('vfs_*').test('do_vfs_read'));
  assert.ok(globToRegExp('sys_enter_open?t').test('sys_enter_openat'));
  assert.ok(globToRegExp('a.b').test('a.b') && !globToRegExp('a.b').test('axb'));
  assert.ok(globToRegExp('[!x]yz').test('ayz') && !globToRegExp('[!x]yz').test('xyz'));
});

test('syscallNamesFor maps kernel function names to syscall names', () => {
  assert.deepEqual(syscallNamesFor('do_sys_openat2'), ['openat2', 'openat']);
  assert.deepEqual(syscallNamesFor('sys_openat'), ['openat']);
  assert.deepEqual(syscallNamesFor('__x64_sys_read'), ['read']);
  assert.deepEqual(syscallNamesFor('__arm64_sys_read'), ['read']);
  assert.deepEqual(syscallNamesFor('ksys_read'), ['read']);
  assert.deepEqual(syscallNamesFor('vfs_read'), []);
});
