import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type MemberPathElement, parseBtf } from '../../src/btf/index.js';
import { type ProbekitError, SpecError } from '../../src/errors.js';
import { buildFixture } from './helpers/fixture.js';

const le = buildFixture();
const btf = parseBtf(le.built.bytes, { name: 'fixture' });
const id = (name: string) => le.ids[name]!;

/** '->a.b->c' → path elements. */
function path(text: string): MemberPathElement[] {
  const out: MemberPathElement[] = [];
  const re = /(->|\.)([A-Za-z_][A-Za-z0-9_]*)/gy;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    out.push({ op: m[1] as '->' | '.', name: m[2]! });
  }
  assert.equal(out.map((e) => e.op + e.name).join(''), text, `path ${text} parses`);
  return out;
}

function specError(code: string, pattern: RegExp) {
  return (e: unknown) => {
    assert.ok(e instanceof SpecError, `SpecError, got ${String(e)}`);
    assert.equal(e.code, code);
    assert.match(`${e.message}\n${e.hint}`, pattern);
    return true;
  };
}

test('file->f_path.dentry->d_name.name: one pointer read, then the final member', () => {
  const a = btf.resolveMemberPath(id('struct file *'), path('->f_path.dentry->d_name.name'));
  // f_path at 8 + dentry at 8 → read the dentry pointer at 16; d_name at 16 + name at 8 → 24.
  assert.deepEqual(a.reads, [16]);
  assert.equal(a.offset, 24);
  assert.equal(a.size, 8);
  assert.equal(a.type, 'const unsigned char *');
  assert.equal(a.string, 'pointer');
  assert.equal(a.isPointer, true);
  assert.equal(a.bitfield, null);
  assert.deepEqual(
    a.steps.map((s) => [s.op, s.name, s.offset, s.parent]),
    [
      ['->', 'f_path', 8, 'struct file'],
      ['.', 'dentry', 8, 'struct path'],
      ['->', 'd_name', 16, 'struct dentry'],
      ['.', 'name', 8, 'struct qstr'],
    ],
  );
});

test('{ pointerTo } roots, typedef structs, arrays, and char[N] strings', () => {
  const viaStruct = btf.resolveMemberPath({ pointerTo: id('file') }, path('->f_pos'));
  assert.deepEqual(
    [viaStruct.reads, viaStruct.offset, viaStruct.size, viaStruct.signed],
    [[], 24, 8, true],
  );
  const viaTypedef = btf.resolveMemberPath(id('file_t *'), path('->f_flags'));
  assert.deepEqual(
    [viaTypedef.offset, viaTypedef.size, viaTypedef.signed, viaTypedef.type],
    [32, 4, false, 'unsigned int'],
  );
  const arr = btf.resolveMemberPath(id('struct dentry *'), path('->d_parent->d_iname'));
  assert.deepEqual(
    [arr.reads, arr.offset, arr.size, arr.string, arr.type],
    [[8], 32, 32, 'array', 'unsigned char [32]'],
  );
  const dotRoot = btf.resolveMemberPath(id('path'), path('.dentry->d_flags'));
  assert.deepEqual([dotRoot.reads, dotRoot.offset], [[8], 0]);
  const nested = btf.resolveMemberPath(
    id('struct dentry *'),
    path('->d_parent->d_parent->d_name.len'),
  );
  assert.deepEqual([nested.reads, nested.offset, nested.size], [[8, 8], 20, 4]);
});

test('members of anonymous unions and structs are found with their offsets', () => {
  const u = btf.resolveMemberPath(id('struct file *'), path('->f_count'));
  assert.deepEqual([u.offset, u.size], [0, 4]);
  const s = btf.resolveMemberPath(id('struct file *'), path('->inner_name'));
  assert.deepEqual([s.offset, s.size, s.string], [40, 8, 'array']);
  const a = btf.resolveMemberPath(id('struct file *'), path('->inner_a'));
  assert.deepEqual([a.offset, a.signed], [36, true]);
});

test('bitfields give a tracefs b<w>@<o>/<c> type and the container offset', () => {
  const skb = { pointerTo: id('sk_buff') };
  const cases: [string, number, string, number][] = [
    ['->cloned', 126, 'b1@0/8', 1],
    ['->nohdr', 126, 'b1@1/8', 1],
    ['->fclone', 126, 'b2@2/8', 1],
    ['->big', 128, 'b20@12/32', 4],
  ];
  for (const [p, offset, type, size] of cases) {
    const a = btf.resolveMemberPath(skb, path(p));
    assert.equal(a.offset, offset, p);
    assert.equal(a.bitfield?.tracefsType, type, p);
    assert.equal(a.size, size, p);
    assert.equal(a.bitfield?.containerSize, size, p);
  }
  // Old-style bitfield: an INT with 3 bits, member at bit 5.
  const old = btf.resolveMemberPath(id('oldbf'), path('.flags'));
  assert.deepEqual([old.offset, old.bitfield?.tracefsType], [0, 'b3@5/32']);
  assert.throws(
    () => btf.resolveMemberPath(skb, path('->straddle')),
    specError('E_BTF_BITFIELD', /does not fit/),
  );
  assert.throws(
    () => btf.resolveMemberPath(skb, path('->cloned.x')),
    specError('E_BTF_NOT_STRUCT', /bitfield/),
  );
});

test('big-endian bitfields count the bit offset from the least significant bit', () => {
  const be = buildFixture({ littleEndian: false });
  const b = parseBtf(be.built.bytes);
  const a = b.resolveMemberPath({ pointerTo: be.ids['sk_buff']! }, path('->cloned'));
  assert.equal(a.bitfield?.tracefsType, 'b1@7/8');
  const big = b.resolveMemberPath({ pointerTo: be.ids['sk_buff']! }, path('->big'));
  assert.equal(big.bitfield?.tracefsType, 'b20@0/32');
});

test('a forward declaration is completed by the struct of the same name', () => {
  const a = btf.resolveMemberPath(id('struct full *'), path('->x'));
  assert.deepEqual([a.offset, a.size], [0, 4]);
});

test('path errors: missing member, wrong operator, no members, empty path', () => {
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), path('->f_paht')),
    (e: unknown) => {
      specError('E_BTF_NO_MEMBER', /struct file has no member 'f_paht'/)(e);
      const members = (e as ProbekitError).details['members'] as string[];
      assert.deepEqual(members, [
        'f_llist',
        'f_count',
        'f_path',
        'f_pos',
        'f_flags',
        'inner_a',
        'inner_name',
      ]);
      assert.match((e as ProbekitError).hint ?? '', /members: f_llist, f_count, f_path/);
      return true;
    },
  );
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), path('.f_pos')),
    specError('E_BTF_IS_POINTER', /use '->f_pos'/),
  );
  assert.throws(
    () => btf.resolveMemberPath({ pointerTo: id('file') }, path('.f_pos')),
    specError('E_BTF_IS_POINTER', /'\.' on a pointer/),
  );
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), path('->f_path->dentry')),
    specError('E_BTF_NOT_POINTER', /use '\.dentry'/),
  );
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), path('->f_pos->x')),
    specError('E_BTF_NOT_POINTER', /loff_t/),
  );
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), path('->f_pos.x')),
    specError('E_BTF_NOT_STRUCT', /has no members/),
  );
  assert.throws(
    () => btf.resolveMemberPath(id('int'), path('.x')),
    specError('E_BTF_NOT_STRUCT', /int has no members/),
  );
  assert.throws(
    () => btf.resolveMemberPath({ pointerTo: id('fwd task_struct') }, path('->pid')),
    specError('E_BTF_NOT_STRUCT', /only declared/),
  );
  assert.throws(
    () => btf.resolveMemberPath(id('struct file *'), []),
    specError('E_BTF_EMPTY_PATH', /empty/),
  );
});
