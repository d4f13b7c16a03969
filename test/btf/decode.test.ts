import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Btf, parseBtf } from '../../src/btf/index.js';
import { buildFixture } from './helpers/fixture.js';

for (const littleEndian of [true, false]) {
  const order = littleEndian ? 'little-endian' : 'big-endian';
  const { built, ids } = buildFixture({ littleEndian });
  const btf: Btf = parseBtf(built.bytes, { name: 'fixture' });
  const id = (name: string) => {
    const v = ids[name];
    assert.ok(v !== undefined, `fixture has ${name}`);
    return v;
  };

  test(`${order}: header and counts`, () => {
    assert.equal(btf.littleEndian, littleEndian);
    assert.equal(btf.firstId, 1);
    assert.equal(btf.typeCount, btf.lastId);
    const counts = btf.countByKind();
    const total = Object.values(counts).reduce((a, b) => a + (b ?? 0), 0);
    assert.equal(total, btf.typeCount);
    for (const k of [
      'INT',
      'PTR',
      'ARRAY',
      'STRUCT',
      'UNION',
      'ENUM',
      'FWD',
      'TYPEDEF',
      'VOLATILE',
      'CONST',
      'RESTRICT',
      'FUNC',
      'FUNC_PROTO',
      'VAR',
      'DATASEC',
      'FLOAT',
      'DECL_TAG',
      'TYPE_TAG',
      'ENUM64',
    ] as const) {
      assert.ok((counts[k] ?? 0) > 0, `fixture has a ${k}`);
    }
  });

  test(`${order}: INT, PTR, ARRAY, TYPEDEF and qualifiers`, () => {
    assert.deepEqual(btf.type(id('int')), {
      kind: 'INT',
      id: id('int'),
      name: 'int',
      size: 4,
      bits: 32,
      bitOffset: 0,
      signed: true,
      char: false,
      bool: false,
    });
    assert.equal(
      btf.type(id('bool')).kind === 'INT' && (btf.type(id('bool')) as { bool: boolean }).bool,
      true,
    );
    assert.deepEqual(btf.type(id('char *')), {
      kind: 'PTR',
      id: id('char *'),
      name: '',
      type: id('char'),
    });
    assert.deepEqual(btf.type(id('char [8]')), {
      kind: 'ARRAY',
      id: id('char [8]'),
      name: '',
      type: id('char'),
      indexType: id('int'),
      nelems: 8,
    });
    assert.deepEqual(btf.type(id('size_t')), {
      kind: 'TYPEDEF',
      id: id('size_t'),
      name: 'size_t',
      type: id('ulong'),
    });
    assert.equal(btf.type(id('volatile int')).kind, 'VOLATILE');
    assert.equal(btf.type(id('char *restrict')).kind, 'RESTRICT');
    assert.equal(btf.type(id('const char')).kind, 'CONST');
    assert.deepEqual(btf.type(id('user tag')), {
      kind: 'TYPE_TAG',
      id: id('user tag'),
      name: 'user',
      type: id('char'),
    });
    assert.equal(btf.type(0).kind, 'VOID');
    assert.equal(btf.kindOf(id('size_t')), 'TYPEDEF');
    assert.equal(btf.nameOf(id('size_t')), 'size_t');
  });

  test(`${order}: types are decoded once and cached`, () => {
    assert.equal(btf.type(id('file')), btf.type(id('file')));
  });

  test(`${order}: STRUCT and UNION members, bitfields with kind_flag`, () => {
    const file = btf.type(id('file'));
    assert.equal(file.kind, 'STRUCT');
    if (file.kind !== 'STRUCT') return;
    assert.equal(file.size, 48);
    assert.equal(file.bitfields, false);
    assert.deepEqual(
      file.members.map((m) => [m.name, m.bitOffset, m.bitfieldSize]),
      [
        ['', 0, 0],
        ['f_path', 64, 0],
        ['f_pos', 192, 0],
        ['f_flags', 256, 0],
        ['', 288, 0],
      ],
    );
    const u = btf.type(id('file anon union'));
    assert.equal(u.kind, 'UNION');
    const skb = btf.type(id('sk_buff'));
    assert.ok(skb.kind === 'STRUCT' && skb.bitfields);
    if (skb.kind !== 'STRUCT') return;
    assert.deepEqual(
      skb.members.slice(0, 4).map((m) => [m.name, m.bitOffset, m.bitfieldSize]),
      [
        ['cloned', 1008, 1],
        ['nohdr', 1009, 1],
        ['fclone', 1010, 2],
        ['big', 1036, 20],
      ],
    );
  });

  test(`${order}: ENUM (signed flag) and ENUM64`, () => {
    const s = btf.type(id('enum sign'));
    assert.ok(s.kind === 'ENUM');
    if (s.kind !== 'ENUM') return;
    assert.equal(s.signed, true);
    assert.deepEqual(s.values, [
      { name: 'NEG', value: -1 },
      { name: 'POS', value: 1 },
    ]);
    const f = btf.type(id('enum flags'));
    assert.ok(f.kind === 'ENUM' && !f.signed && f.values[0]?.value === 0xfffffff0);
    const w = btf.type(id('enum64'));
    assert.ok(w.kind === 'ENUM64');
    if (w.kind !== 'ENUM64') return;
    assert.deepEqual(w.values, [
      { name: 'HUGE', value: 0xfedcba9876543210n },
      { name: 'ONE', value: 1n },
    ]);
    const sw = btf.type(id('enum64 signed'));
    assert.ok(sw.kind === 'ENUM64' && sw.signed && sw.values[0]?.value === -5n);
  });

  test(`${order}: FWD, FUNC, FUNC_PROTO (varargs), VAR, DATASEC, FLOAT, DECL_TAG`, () => {
    assert.deepEqual(btf.type(id('fwd union')), {
      kind: 'FWD',
      id: id('fwd union'),
      name: 'uu',
      union: true,
    });
    const f = btf.type(id('vfs_read'));
    assert.deepEqual(f, {
      kind: 'FUNC',
      id: id('vfs_read'),
      name: 'vfs_read',
      type: id('vfs_read proto'),
      linkage: 'global',
    });
    assert.equal((btf.type(id('do_nothing')) as { linkage: string }).linkage, 'static');
    const p = btf.type(id('vfs_read proto'));
    assert.ok(
      p.kind === 'FUNC_PROTO' &&
        !p.variadic &&
        p.params.length === 4 &&
        p.returnType === id('ssize_t'),
    );
    const pk = btf.type((btf.type(id('printk')) as { type: number }).type);
    assert.ok(pk.kind === 'FUNC_PROTO' && pk.variadic && pk.params.length === 1);
    assert.deepEqual(btf.type(id('jiffies')), {
      kind: 'VAR',
      id: id('jiffies'),
      name: 'jiffies',
      type: id('ulong'),
      linkage: 'global',
    });
    assert.deepEqual(btf.type(id('.data')), {
      kind: 'DATASEC',
      id: id('.data'),
      name: '.data',
      size: 8,
      vars: [{ type: id('jiffies'), offset: 0, size: 8 }],
    });
    assert.deepEqual(btf.type(id('double')), {
      kind: 'FLOAT',
      id: id('double'),
      name: 'double',
      size: 8,
    });
    assert.deepEqual(btf.type(id('kfunc tag')), {
      kind: 'DECL_TAG',
      id: id('kfunc tag'),
      name: 'bpf_kfunc',
      type: id('vfs_read'),
      componentIdx: -1,
    });
    assert.equal((btf.type(id('param tag')) as { componentIdx: number }).componentIdx, 0);
  });

  test(`${order}: lookups by name`, () => {
    assert.equal(btf.findFunction('vfs_read'), id('vfs_read'));
    assert.equal(btf.findFunction('nope'), undefined);
    assert.deepEqual(btf.findTypes('file', 'STRUCT'), [id('file')]);
    assert.deepEqual(btf.findTypes('full', 'FWD'), [id('fwd full')]);
    assert.deepEqual(btf.findTypes('file', 'UNION'), []);
    assert.equal(btf.pointerSize, 8);
    assert.ok(btf.functionNames().includes('_printk'));
  });
}

test('a non-ASCII name is decoded as UTF-8', async () => {
  const { BtfWriter } = await import('./helpers/writer.js');
  const w = new BtfWriter();
  const id = w.int('größe', 4);
  const btf = parseBtf(w.build().bytes);
  assert.equal(btf.nameOf(id), 'größe');
});

test('pointer size comes from long when there is one', async () => {
  const { BtfWriter } = await import('./helpers/writer.js');
  const w = new BtfWriter();
  w.int('long int', 4, { signed: true });
  const p = w.ptr(0);
  const btf = parseBtf(w.build().bytes);
  assert.equal(btf.pointerSize, 4);
  assert.equal(btf.sizeOf(p), 4);
  const w2 = new BtfWriter();
  const p2 = w2.ptr(0);
  assert.equal(parseBtf(w2.build().bytes, { pointerSize: 4 }).sizeOf(p2), 4);
  assert.equal(parseBtf(w2.build().bytes).sizeOf(p2), 8);
});
