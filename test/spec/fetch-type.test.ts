import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASE_TYPES, formatFetch, parseFetch, parseType } from '../../src/spec/index.js';
import { catchSpecError, strip } from './helpers.js';

test('every base type parses to itself', () => {
  for (const base of Object.keys(BASE_TYPES)) {
    assert.deepEqual(parseType(base), {
      base,
      bitfield: null,
      array: null,
      text: base,
      span: { start: 0, end: base.length },
    });
  }
});

test('bitfields check width, offset and container', () => {
  assert.deepEqual(strip(parseType('b1@63/64')), {
    base: 'u64',
    bitfield: { width: 1, offset: 63, container: 64 },
    array: null,
    text: 'b1@63/64',
  });
  assert.deepEqual(strip(parseType('b8@0/8')), {
    base: 'u8',
    bitfield: { width: 8, offset: 0, container: 8 },
    array: null,
    text: 'b8@0/8',
  });
  assert.equal(
    catchSpecError(() => parseType('b2@63/64')).message,
    "bitfield 'b2@63/64' does not fit: 2 bits at bit 63 need more than 64 bits",
  );
  assert.equal(
    catchSpecError(() => parseType('b4@0/16[2]')).message,
    'a bitfield cannot be an array',
  );
  assert.equal(catchSpecError(() => parseType('b4/32')).message, "bad bitfield 'b4/32'");
});

test('arrays hold 1 to 64 elements', () => {
  assert.equal(parseType('u32[64]').array, 64);
  assert.equal(parseType('u32[1]').array, 1);
  assert.equal(
    catchSpecError(() => parseType('u32[99999999999]')).message,
    'array of 99999999999 elements is too big',
  );
  assert.equal(catchSpecError(() => parseType('%pd[2]')).message, "type '%pd' cannot be an array");
  assert.equal(catchSpecError(() => parseType('[4]')).message, "missing element type before '['");
});

test('parseType reports columns in the whole line', () => {
  const e = catchSpecError(() => parseType('u33', 6, 'k:f(a:u33)'));
  assert.equal(e.column, 6);
  assert.equal(e.input, 'k:f(a:u33)');
  assert.equal(catchSpecError(() => parseType('u32 x')).message, "unexpected 'x' after the type");
});

test('parseFetch reads the kernel grammar and formatFetch writes it back', () => {
  const cases = [
    '%di',
    '@0xffff0000',
    '@jiffies+8',
    '@jiffies-8',
    '$stack',
    '$stack3',
    '$retval',
    '$comm',
    '$arg2',
    '+8(%di)',
    '-8(%sp)',
    '+u16(+0(%si))',
    '\\42',
    '\\-1',
    '\\"text"',
    'file->f_path.dentry',
    '$retval->err',
  ];
  const kret = { names: 'kernel', place: 'kernel', isReturn: true } as const;
  for (const text of cases) assert.equal(formatFetch(parseFetch(text, kret)), text, text);
  assert.equal(
    formatFetch(parseFetch('@+0x10', { names: 'kernel', place: 'user', isReturn: false })),
    '@+16',
  );
  assert.equal(formatFetch(parseFetch('+0x10(%di)', kret)), '+16(%di)');
});

test('kernel names mode reads bare names as BTF parameters; probekit mode reads variables', () => {
  const kernel = { names: 'kernel', place: 'kernel', isReturn: true } as const;
  assert.deepEqual(strip(parseFetch('arg1', kernel)), { kind: 'param', name: 'arg1' });
  assert.deepEqual(strip(parseFetch('arg1')), { kind: 'argN', index: 1 });
  assert.deepEqual(strip(parseFetch('retval', kernel)), { kind: 'param', name: 'retval' });
  assert.deepEqual(strip(parseFetch('retval')), { kind: 'retval' });
});

test('numbers follow the kernel: 0x hex, leading-zero octal, decimal', () => {
  assert.deepEqual(strip(parseFetch('+010(%di)')), {
    kind: 'deref',
    offset: 8n,
    user: false,
    inner: { kind: 'reg', reg: 'di' },
  });
  assert.deepEqual(strip(parseFetch('+0(%di)')), {
    kind: 'deref',
    offset: 0n,
    user: false,
    inner: { kind: 'reg', reg: 'di' },
  });
  assert.equal(catchSpecError(() => parseFetch('+09(%di)')).message, "bad dereference offset '09'");
  assert.equal(
    catchSpecError(() => parseFetch('@0x10000000000000000')).message,
    "bad address '0x10000000000000000'",
  );
  assert.equal(
    catchSpecError(() => parseFetch('%di extra')).message,
    "unexpected 'extra' after the fetch argument",
  );
  assert.equal(
    catchSpecError(() => parseFetch('$arg999')).message,
    'argument number 999 is too big',
  );
});
