import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Btf, parseBtf } from '../../src/btf/index.js';
import { ProbekitError } from '../../src/errors.js';
import { buildFixture } from './helpers/fixture.js';
import { BtfWriter } from './helpers/writer.js';

const { built } = buildFixture();

function corrupt(code: string, pattern?: RegExp, where?: { typeId?: number; offset?: number }) {
  return (e: unknown) => {
    assert.ok(e instanceof ProbekitError, `a ProbekitError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (pattern) assert.match(e.message, pattern);
    if (where?.typeId !== undefined) assert.equal(e.details['typeId'], where.typeId);
    if (where?.offset !== undefined) assert.equal(e.details['offset'], where.offset);
    assert.ok(e.hint, 'has a hint');
    return true;
  };
}

function patch(bytes: Uint8Array, f: (v: DataView) => void): Uint8Array {
  const copy = bytes.slice();
  f(new DataView(copy.buffer));
  return copy;
}

test('truncation at every header field boundary and every type record boundary', () => {
  const cuts = [
    0,
    1,
    2,
    3,
    4,
    8,
    12,
    16,
    20,
    23,
    24,
    ...built.typeOffsets,
    built.strStart,
    built.bytes.length - 1,
  ];
  for (const cut of cuts) {
    assert.throws(
      () => parseBtf(built.bytes.subarray(0, cut)),
      (e: unknown) => {
        assert.ok(e instanceof ProbekitError, `cut at ${cut}`);
        assert.match(e.code, /^E_BTF_(BAD_HEADER|BAD_MAGIC)$/, `cut at ${cut}: ${e.message}`);
        return true;
      },
    );
  }
});

test('every possible cut of the fixture is a ProbekitError', () => {
  for (let cut = 0; cut < built.bytes.length; cut++) {
    assert.throws(() => parseBtf(built.bytes.subarray(0, cut)), ProbekitError, `cut at ${cut}`);
  }
});

test('a section that runs past the data says so, with the field offset', () => {
  const short = built.bytes.subarray(0, built.bytes.length - 10);
  assert.throws(
    () => parseBtf(short),
    corrupt('E_BTF_BAD_HEADER', /string section .* runs past/, { offset: 16 }),
  );
});

test('a type record cut by type_len reports its type id and byte offset', () => {
  // Shrink type_len so the last record is cut in half; keep the string section where it was.
  const last = built.typeOffsets.length;
  const lastOff = built.typeOffsets[last - 1]!;
  const bytes = patch(built.bytes, (v) => v.setUint32(12, lastOff - built.typeStart + 6, true));
  assert.throws(
    () => parseBtf(bytes),
    corrupt('E_BTF_TRUNCATED', /runs past the end|needs 12 bytes/, {
      typeId: last,
      offset: lastOff,
    }),
  );
});

test('bad magic, bad version, bad hdr_len, unaligned and overlapping sections', () => {
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint16(0, 0x1234, true))),
    corrupt('E_BTF_BAD_MAGIC', /0x1234/, { offset: 0 }),
  );
  assert.throws(
    () => parseBtf(new TextEncoder().encode('\x7fELF and more bytes here')),
    corrupt('E_BTF_BAD_MAGIC'),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint8(2, 2))),
    corrupt('E_BTF_BAD_VERSION', /version 2/),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint32(4, 8, true))),
    corrupt('E_BTF_BAD_HEADER', /hdr_len 8/),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint32(4, 0xffffffff, true))),
    corrupt('E_BTF_BAD_HEADER', /hdr_len/),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint32(8, 2, true))),
    corrupt('E_BTF_BAD_HEADER'),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint32(16, 0, true))),
    corrupt('E_BTF_BAD_HEADER', /overlap/),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint32(20, 0xfffffff0, true))),
    corrupt('E_BTF_BAD_HEADER'),
  );
});

test('string section without a final NUL or without the leading empty string', () => {
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint8(built.bytes.length - 1, 0x41))),
    corrupt('E_BTF_BAD_HEADER', /does not end with a NUL/),
  );
  assert.throws(
    () => parseBtf(patch(built.bytes, (v) => v.setUint8(built.strStart, 0x41))),
    corrupt('E_BTF_BAD_HEADER', /empty string/),
  );
});

function one(build: (w: BtfWriter) => void): Btf {
  const w = new BtfWriter();
  build(w);
  return parseBtf(w.build().bytes, { name: 'test' });
}

test('unknown kinds (0 and 20..31) are refused at index time with their id', () => {
  for (const kind of [0, 20, 31]) {
    const w = new BtfWriter();
    w.int('int', 4);
    w.raw(0, kind, 0, false, 0);
    const b = w.build();
    assert.throws(
      () => parseBtf(b.bytes),
      corrupt('E_BTF_UNKNOWN_KIND', new RegExp(`unknown kind ${kind}`), {
        typeId: 2,
        offset: b.typeOffsets[1]! + 4,
      }),
    );
  }
});

test('type ids out of range are reported with the referring type id', () => {
  const b = one((w) => {
    w.int('int', 4);
    w.ptr(99);
    w.struct('s', 4, [{ name: 'm', type: 77, bits: 0 }]);
    w.funcProto(1, [['a', 55]]);
  });
  assert.throws(
    () => b.type(2),
    corrupt('E_BTF_BAD_TYPE_ID', /refers to type id 99/, { typeId: 2 }),
  );
  assert.throws(
    () => b.type(3),
    corrupt('E_BTF_BAD_TYPE_ID', /member 0 refers to type id 77/, { typeId: 3 }),
  );
  assert.throws(() => b.type(4), corrupt('E_BTF_BAD_TYPE_ID', /parameter 0/, { typeId: 4 }));
  assert.throws(() => b.type(5), corrupt('E_BTF_BAD_TYPE_ID', /type id 5 does not exist/));
  assert.throws(() => b.type(-1), corrupt('E_BTF_BAD_TYPE_ID'));
  assert.throws(() => b.type(1.5), corrupt('E_BTF_BAD_TYPE_ID'));
  assert.throws(() => b.typeName(2), corrupt('E_BTF_BAD_TYPE_ID'));
});

test('string offsets out of range are reported with the type id', () => {
  const b = one((w) => {
    w.int('int', 4);
    w.raw(100000, 8, 0, false, 1);
    w.struct('s', 4, [{ name: 'm', type: 1, bits: 0 }]);
  });
  assert.throws(() => b.type(2), corrupt('E_BTF_BAD_STRING', /name offset 100000/, { typeId: 2 }));
  assert.throws(() => b.nameOf(2), corrupt('E_BTF_BAD_STRING'));
  assert.deepEqual(b.findTypes('', 'TYPEDEF'), [], 'name lookups skip the bad record');
});

test('one FUNC with a bad name offset does not hide the other functions', () => {
  const b = one((w) => {
    const proto = w.funcProto(0, []);
    w.raw(99999, 12, 1, false, proto); // FUNC with a bad name offset
    w.func('good', proto);
  });
  assert.equal(b.findFunction('good'), 3);
  assert.equal(b.renderPrototype('good'), 'void good(void)');
  assert.throws(() => b.type(2), corrupt('E_BTF_BAD_STRING', /99999/, { typeId: 2 }));
});

test('reference loops are errors, not hangs', () => {
  const b = one((w) => {
    w.typedef('self', 1); // 1: typedef to itself
    w.const(3); // 2 ↔ 3: const/volatile loop
    w.volatile(2);
    w.ptr(4); // 4: pointer to itself
    w.array(5, 5, 2); // 5: array of itself
    w.struct('s', 8, [{ name: '', type: 6, bits: 0 }]); // 6: anonymous member of itself
  });
  assert.throws(() => b.resolveType(1), corrupt('E_BTF_LOOP', /reference loop/, { typeId: 1 }));
  assert.equal(b.typeName(1), 'self', 'a typedef is named without following it');
  assert.throws(() => b.sizeOf(1), corrupt('E_BTF_LOOP'));
  assert.throws(() => b.resolveType(2), corrupt('E_BTF_LOOP'));
  assert.throws(() => b.sizeOf(3), corrupt('E_BTF_LOOP'));
  assert.throws(() => b.typeName(4), corrupt('E_BTF_LOOP'));
  assert.equal(b.sizeOf(4), 8, 'a pointer to itself has a size');
  assert.throws(() => b.sizeOf(5), corrupt('E_BTF_LOOP'));
  assert.throws(() => b.typeName(5), corrupt('E_BTF_LOOP'));
  assert.throws(() => b.resolveMemberPath(6, [{ op: '.', name: 'x' }]), corrupt('E_BTF_LOOP'));
});

test('exponential fan-out in corrupt data is cut off by a step budget', () => {
  const b = one((w) => {
    // proto k has two parameters of type proto k+1; the last one is a plain int.
    const n = 40;
    for (let k = 0; k < n; k++)
      w.funcProto(0, [
        ['a', k + 2],
        ['b', k + 2],
      ]);
    w.int('int', 4);
    // struct k has two anonymous members of struct k+1.
    const first = w.nextId;
    for (let k = 0; k < n; k++)
      w.struct('', 8, [
        { name: '', type: first + k + 1, bits: 0 },
        { name: '', type: first + k + 1, bits: 0 },
      ]);
    w.struct('', 8, [{ name: 'leaf', type: n + 1, bits: 0 }]);
  });
  const t0 = Date.now();
  assert.throws(() => b.typeName(1), corrupt('E_BTF_LOOP', /visits more than/));
  assert.throws(() => b.resolveMemberPath(42, [{ op: '.', name: 'nope' }]), corrupt('E_BTF_LOOP'));
  assert.ok(Date.now() - t0 < 10_000, 'cut off quickly');
});

test('inconsistent records: INT sizes, a void parameter that is not last, DECL_TAG index', () => {
  const b = one((w) => {
    w.int('int', 4);
    w.raw(0, 1, 0, false, 4, [40]); // INT of 40 bits in 4 bytes
    w.raw(0, 1, 0, false, 0, [8]); // INT of size 0
    w.raw(0, 13, 2, false, 1, [0, 0, 0, 1]); // FUNC_PROTO (void, int)
    w.declTag('t', 1, -2);
  });
  assert.throws(() => b.type(2), corrupt('E_BTF_BAD_TYPE', /INT/, { typeId: 2 }));
  assert.throws(() => b.type(3), corrupt('E_BTF_BAD_TYPE', /INT/, { typeId: 3 }));
  assert.throws(() => b.type(4), corrupt('E_BTF_BAD_TYPE', /void but not last/, { typeId: 4 }));
  assert.throws(() => b.type(5), corrupt('E_BTF_BAD_TYPE', /component_idx -2/, { typeId: 5 }));
});

test('errors say what and where in one line', () => {
  const b = one((w) => w.ptr(9));
  try {
    b.type(1);
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof ProbekitError);
    assert.equal(
      e.message,
      'BTF test: PTR refers to type id 9, but the largest id is 1 (at type id 1, byte offset 32)',
    );
  }
});
