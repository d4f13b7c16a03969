import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  isPtRegsWrapper,
  parseBtf,
  prototypeResolver,
  ptRegsOffset,
  ptRegsOffsets,
} from '../../src/btf/index.js';
import { ProbekitError, SpecError } from '../../src/errors.js';
import { buildFixture } from './helpers/fixture.js';

const { built, ids } = buildFixture();
const btf = parseBtf(built.bytes, { name: 'fixture' });
const id = (name: string) => ids[name]!;

test('typeName spells C types', () => {
  const cases: [string, string][] = [
    ['int', 'int'],
    ['size_t', 'size_t'],
    ['const char *', 'const char *'],
    ['char *', 'char *'],
    ['char __user *', 'char __user *'],
    ['void *', 'void *'],
    ['struct file *', 'struct file *'],
    ['file_t *', 'file_t *'],
    ['char [8]', 'char [8]'],
    ['unsigned char [32]', 'unsigned char [32]'],
    ['void (*)(int, void *)', 'void (*)(int, void *)'],
    ['int (*)[4]', 'int (*)[4]'],
    ['char *restrict', 'char *restrict'],
    ['const char *const', 'const char *const'],
    ['volatile int', 'volatile int'],
    ['file anon union', 'union {...}'],
    ['enum sign', 'enum sign'],
    ['fwd union', 'union uu'],
    ['fwd task_struct', 'struct task_struct'],
    ['double', 'double'],
  ];
  for (const [key, text] of cases) assert.equal(btf.typeName(id(key)), text, key);
  assert.equal(btf.typeName(0), 'void');
  assert.equal(btf.typeName(id('char *'), 'buf'), 'char *buf');
  assert.equal(btf.typeName(id('void (*)(int, void *)'), 'cb'), 'void (*cb)(int, void *)');
  assert.equal(btf.typeName(id('char [8]'), 'name'), 'char name[8]');
});

test('renderPrototype renders a C declaration', () => {
  assert.equal(
    btf.renderPrototype('vfs_read'),
    'ssize_t vfs_read(struct file *file, char __user *buf, size_t count, loff_t *pos)',
  );
  assert.equal(btf.renderPrototype('_printk'), 'int _printk(const char *fmt, ...)');
  assert.equal(btf.renderPrototype('do_nothing'), 'void do_nothing(void)');
  assert.equal(
    btf.renderPrototype('register_cb'),
    'int register_cb(void (*cb)(int, void *), int (*grid)[4], _Bool flags)',
  );
  assert.equal(
    btf.renderPrototype('strcpy'),
    'char *strcpy(char *restrict p, const char *const q)',
  );
});

test('functionPrototype gives names, sizes, signedness, strings and user pointers', () => {
  const p = btf.functionPrototype('vfs_read');
  assert.equal(p.name, 'vfs_read');
  assert.equal(p.returnType, 'ssize_t');
  assert.equal(p.returnSize, 8);
  assert.equal(p.returnSigned, true);
  assert.equal(p.returnIsVoid, false);
  assert.equal(p.btfId, id('vfs_read'));
  assert.deepEqual(
    p.params.map((x) => [x.name, x.type, x.size, x.signed, x.isPointer, x.isString, x.isUserPtr]),
    [
      ['file', 'struct file *', 8, false, true, false, false],
      ['buf', 'char __user *', 8, false, true, true, true],
      ['count', 'size_t', 8, false, false, false, false],
      ['pos', 'loff_t *', 8, false, true, false, false],
    ],
  );
  const v = btf.functionPrototype('do_nothing');
  assert.equal(v.returnIsVoid, true);
  assert.equal(v.returnSize, 0);
  assert.deepEqual(v.params, []);
  const s = btf.functionPrototype('strcpy');
  assert.equal(s.returnIsPointer, true);
  assert.deepEqual(
    s.params.map((x) => x.isString),
    [true, true],
  );
  const b = btf.functionPrototype('by_value');
  assert.deepEqual(
    b.params.map((x) => [x.name, x.size, x.isAggregate, x.signed, x.isString]),
    [
      ['p', 16, true, false, false],
      ['v', 4, false, true, false],
      ['name', 8, false, false, true],
    ],
  );
  assert.equal(b.returnType, '__u8 *');
  const cb = btf.functionPrototype('register_cb');
  assert.deepEqual(
    cb.params.map((x) => [x.size, x.isString]),
    [
      [8, false],
      [8, false],
      [1, false],
    ],
  );
  assert.equal(btf.functionPrototype('_printk').variadic, true);
});

test('an unknown function is a SpecError with near names', () => {
  assert.throws(
    () => btf.functionPrototype('vfs_raed'),
    (e: unknown) => {
      assert.ok(e instanceof SpecError);
      assert.equal(e.code, 'E_BTF_NO_FUNCTION');
      assert.match(e.message, /vfs_raed/);
      assert.deepEqual(e.details['suggestions'], ['vfs_read']);
      assert.match(e.hint ?? '', /did you mean: vfs_read/);
      return true;
    },
  );
  assert.throws(
    () => btf.renderPrototype('printk'),
    (e: unknown) =>
      e instanceof SpecError && (e.details['suggestions'] as string[]).includes('_printk'),
  );
  assert.throws(
    () => btf.functionPrototype('zzzzzzzzzzzzzz'),
    (e: unknown) => e instanceof SpecError && (e.details['suggestions'] as string[]).length === 0,
  );
});

test('a FUNC that does not point at a FUNC_PROTO is a corrupt-data error', async () => {
  const { BtfWriter } = await import('./helpers/writer.js');
  const w = new BtfWriter();
  const i = w.int('int', 4);
  w.func('broken', i);
  const b = parseBtf(w.build().bytes);
  assert.throws(
    () => b.functionPrototype('broken'),
    (e: unknown) =>
      e instanceof ProbekitError &&
      e.code === 'E_BTF_BAD_TYPE' &&
      /not a FUNC_PROTO/.test(e.message),
  );
});

test('pt_regs wrappers and pt_regs offsets', () => {
  const p = btf.functionPrototype('__x64_sys_openat');
  assert.equal(p.params[0]?.type, 'const struct pt_regs *');
  assert.equal(isPtRegsWrapper(p), true);
  assert.equal(isPtRegsWrapper(btf.functionPrototype('vfs_read')), false);
  assert.equal(isPtRegsWrapper(btf.functionPrototype('do_nothing')), false);
  assert.deepEqual(ptRegsOffsets(btf), { di: 0, si: 8, cs: 16, csx: 16 });
  assert.equal(ptRegsOffset(btf, 'si'), 8);
  assert.equal(ptRegsOffset(btf, 'r10'), undefined);
});

test('prototypeResolver gives null for unknown functions, for PlanOptions.prototype', () => {
  const resolve = prototypeResolver(btf);
  assert.equal(resolve('vfs_read')?.params.length, 4);
  assert.equal(resolve('no_such_function'), null);
});
