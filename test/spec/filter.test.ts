import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseFilter } from '../../src/spec/index.js';
import { catchSpecError, strip } from './helpers.js';

const cmp = (field: string, op: string, kind: 'number' | 'string', text: string) => ({
  kind: 'cmp',
  field,
  op,
  value: { kind, text },
});

test('&& binds tighter than ||, ! binds tightest, parentheses group', () => {
  assert.deepEqual(strip(parseFilter('a == 1 || b == 2 && !(c != 3)')), {
    kind: 'or',
    left: cmp('a', '==', 'number', '1'),
    right: {
      kind: 'and',
      left: cmp('b', '==', 'number', '2'),
      right: { kind: 'not', operand: cmp('c', '!=', 'number', '3') },
    },
  });
  assert.deepEqual(strip(parseFilter('(a == 1 || b == 2) && c == 3')), {
    kind: 'and',
    left: { kind: 'or', left: cmp('a', '==', 'number', '1'), right: cmp('b', '==', 'number', '2') },
    right: cmp('c', '==', 'number', '3'),
  });
  assert.deepEqual(strip(parseFilter('a==1||b==2||c==3')), {
    kind: 'or',
    left: { kind: 'or', left: cmp('a', '==', 'number', '1'), right: cmp('b', '==', 'number', '2') },
    right: cmp('c', '==', 'number', '3'),
  });
  assert.deepEqual(strip(parseFilter('!!a == 1')), {
    kind: 'not',
    operand: { kind: 'not', operand: cmp('a', '==', 'number', '1') },
  });
});

test('every operator and value form', () => {
  const cases: [string, unknown][] = [
    ['x == 0x1F', cmp('x', '==', 'number', '0x1F')],
    ['x != -100', cmp('x', '!=', 'number', '-100')],
    ['x < 5', cmp('x', '<', 'number', '5')],
    ['x <= 5', cmp('x', '<=', 'number', '5')],
    ['x > 5', cmp('x', '>', 'number', '5')],
    ['x >= 5', cmp('x', '>=', 'number', '5')],
    ['x & 0x4', cmp('x', '&', 'number', '0x4')],
    ['x ~ "a*b?[cd]"', cmp('x', '~', 'string', 'a*b?[cd]')],
    ['x == "sshd"', cmp('x', '==', 'string', 'sshd')],
    ['x != ""', cmp('x', '!=', 'string', '')],
    ['common_pid == 1', cmp('common_pid', '==', 'number', '1')],
    ['x == "a && b || (c)"', cmp('x', '==', 'string', 'a && b || (c)')],
  ];
  for (const [text, tree] of cases) assert.deepEqual(strip(parseFilter(text)), tree, text);
});

test('spans and carets are relative to the whole line', () => {
  const whole = 'k:f if a == 1 && bb ~ "x"';
  const f = parseFilter(whole.slice(6), 6, whole);
  assert.deepEqual(f.span, { start: 7, end: 25 });
  assert.ok(f.kind === 'and' && f.right.kind === 'cmp');
  assert.deepEqual(f.right.fieldSpan, { start: 17, end: 19 });
  const e = catchSpecError(() => parseFilter(' a ~ 1', 6, 'k:f if a ~ 1'));
  assert.equal(e.code, 'E_SPEC_FILTER');
  assert.equal(e.column, 11);
  assert.equal(e.input, 'k:f if a ~ 1');
});

test('a text that is not inside the given line is parsed on its own', () => {
  const e = catchSpecError(() => parseFilter('a ~ 1', 40, 'unrelated'));
  assert.equal(e.input, 'a ~ 1');
  assert.equal(e.column, 4);
});

test('nesting is bounded, so deep input is an error and not a stack overflow', () => {
  const deep = `${'('.repeat(10000)}a == 1${')'.repeat(10000)}`;
  const e = catchSpecError(() => parseFilter(deep));
  assert.equal(e.message, 'filter nests too deeply');
  assert.equal(
    catchSpecError(() => parseFilter('!'.repeat(10000) + 'a == 1')).message,
    'filter nests too deeply',
  );
  assert.doesNotThrow(() => parseFilter(`${'('.repeat(20)}a == 1${')'.repeat(20)}`));
});
