import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBtf } from '../../src/btf/index.js';
import { BtfWriter } from './helpers/writer.js';

test('function lookup: prefixes, duplicates (first wins), non-ASCII, many names, misses', () => {
  const w = new BtfWriter();
  const proto = w.funcProto(0, []);
  const names = ['vfs_read', 'vfs_readv', 'vfs_rea', 'grüß', ''];
  for (let i = 0; i < 5000; i++) names.push(`fn_${i.toString(36)}`);
  const ids = new Map<string, number>();
  for (const n of names) {
    const id = w.func(n, proto);
    if (!ids.has(n)) ids.set(n, id);
  }
  const dup = w.func('vfs_read', proto);
  const btf = parseBtf(w.build().bytes);
  for (const [n, id] of ids) assert.equal(btf.findFunction(n), id, n);
  assert.notEqual(btf.findFunction('vfs_read'), dup, 'the first of two equal names wins');
  for (const miss of ['vfs_re', 'vfs_readvv', 'fn_zzzz', 'gruss', 'VFS_READ']) {
    assert.equal(btf.findFunction(miss), undefined, miss);
  }
  assert.equal(btf.functionNames().length, names.length + 1);
});
