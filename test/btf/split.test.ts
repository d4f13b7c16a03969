import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listModuleBtf, loadKernelBtf, loadModuleBtf, parseBtf } from '../../src/btf/index.js';
import { ProbekitError, UnsupportedError, UsageError } from '../../src/errors.js';
import { buildFixture } from './helpers/fixture.js';
import { BtfWriter } from './helpers/writer.js';

const base = buildFixture();
const vmlinux = parseBtf(base.built.bytes, { name: 'vmlinux' });

/** A module's split BTF: its own struct using base types, and a function. */
function buildModule(littleEndian = true) {
  const w = new BtfWriter({
    littleEndian,
    base: { nextId: vmlinux.nextId, nextStrOff: vmlinux.nextStrOff },
  });
  const ext4Inode = w.struct('ext4_inode_info', 24, [
    { name: 'i_flags', type: base.ids['uint']!, bits: 0 },
    { name: 'vfs_file', type: base.ids['struct file *']!, bits: 64 },
    { name: 'i_name', type: base.ids['const char *']!, bits: 128 },
  ]);
  const ptr = w.ptr(ext4Inode);
  const proto = w.funcProto(base.ids['int']!, [
    ['ei', ptr],
    ['name', base.ids['const char *']!],
  ]);
  const fn = w.func('ext4_do_thing', proto);
  // A name that reuses a base string offset ('file') and one of its own.
  const tdef = w.typedef('file', base.ids['file']!);
  return { built: w.build(), ids: { ext4Inode, ptr, proto, fn, tdef } };
}

test('split BTF continues type ids and string offsets after the base', () => {
  const mod = buildModule();
  const btf = parseBtf(mod.built.bytes, { base: vmlinux, name: 'ext4' });
  assert.equal(btf.firstId, vmlinux.nextId);
  assert.equal(mod.ids.ext4Inode, vmlinux.nextId);
  assert.equal(btf.firstStrOff, vmlinux.nextStrOff);
  assert.equal(btf.typeCount, 5);
  assert.deepEqual(btf.countByKind(), { STRUCT: 1, PTR: 1, FUNC_PROTO: 1, FUNC: 1, TYPEDEF: 1 });
  // Base types are reachable through the split object.
  assert.equal(btf.type(base.ids['file']!), vmlinux.type(base.ids['file']!));
  assert.equal(btf.nameOf(mod.ids.tdef), 'file');
  assert.equal(
    btf.renderPrototype('ext4_do_thing'),
    'int ext4_do_thing(struct ext4_inode_info *ei, const char *name)',
  );
  // Base functions are found too; module functions are not in the base.
  assert.equal(btf.findFunction('vfs_read'), base.ids['vfs_read']);
  assert.equal(vmlinux.findFunction('ext4_do_thing'), undefined);
  assert.ok(
    btf.functionNames().includes('vfs_read') && btf.functionNames().includes('ext4_do_thing'),
  );
  assert.deepEqual(btf.findTypes('ext4_inode_info', 'STRUCT'), [mod.ids.ext4Inode]);
  assert.deepEqual(btf.findTypes('file', 'STRUCT'), [base.ids['file']]);
  const a = btf.resolveMemberPath(mod.ids.ptr, [
    { op: '->', name: 'vfs_file' },
    { op: '->', name: 'f_path' },
    { op: '.', name: 'dentry' },
  ]);
  assert.deepEqual([a.reads, a.offset, a.type], [[8], 16, 'struct dentry *']);
  const s = btf.resolveMemberPath(mod.ids.ptr, [{ op: '->', name: 'i_name' }]);
  assert.equal(s.string, 'pointer');
  assert.equal(btf.pointerSize, 8);
});

test('split BTF: a type id past the module, a string offset past the module', () => {
  const mod = buildModule();
  const btf = parseBtf(mod.built.bytes, { base: vmlinux });
  assert.throws(
    () => btf.type(btf.nextId),
    (e: unknown) => e instanceof ProbekitError && e.code === 'E_BTF_BAD_TYPE_ID',
  );
  assert.throws(
    () => btf.string(btf.nextStrOff),
    (e: unknown) => e instanceof ProbekitError && e.code === 'E_BTF_BAD_STRING',
  );
  assert.equal(btf.string(0), '');
});

test('split BTF with the other byte order than its base is refused', () => {
  const mod = buildModule(false);
  assert.throws(
    () => parseBtf(mod.built.bytes, { base: vmlinux }),
    (e: unknown) =>
      e instanceof ProbekitError && e.code === 'E_BTF_BAD_HEADER' && /byte order/.test(e.message),
  );
});

test('parsing split BTF without its base fails with a clear error, not a crash', () => {
  const mod = buildModule();
  assert.throws(() => {
    const b = parseBtf(mod.built.bytes);
    for (const id of b.ids()) b.typeName(id);
  }, ProbekitError);
});

test('loadKernelBtf and loadModuleBtf read a directory, cache, and explain what is missing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-btf-'));
  try {
    assert.throws(
      () => loadKernelBtf({ dir }),
      (e: unknown) =>
        e instanceof UnsupportedError &&
        e.feature === 'btf' &&
        /CONFIG_DEBUG_INFO_BTF/.test(e.message),
    );
    writeFileSync(join(dir, 'vmlinux'), base.built.bytes);
    writeFileSync(join(dir, 'ext4'), buildModule().built.bytes);
    const k = loadKernelBtf({ dir });
    assert.equal(loadKernelBtf({ dir }), k, 'cached per process');
    assert.notEqual(loadKernelBtf({ dir, fresh: true }), k);
    assert.deepEqual(listModuleBtf({ dir }), ['ext4']);
    const m = loadModuleBtf('ext4', { dir });
    assert.equal(m.source, 'ext4');
    assert.equal(m.findFunction('ext4_do_thing'), m.firstId + 3);
    assert.equal(loadModuleBtf('ext4', { dir }), m);
    assert.throws(
      () => loadModuleBtf('xfs', { dir }),
      (e: unknown) =>
        e instanceof UnsupportedError && e.feature === 'btf-module' && /xfs/.test(e.message),
    );
    assert.throws(
      () => loadModuleBtf('../vmlinux', { dir }),
      (e: unknown) => e instanceof UsageError && e.code === 'E_BTF_MODULE_NAME',
    );
    assert.deepEqual(listModuleBtf({ dir: join(dir, 'missing') }), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
