import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbekitError, SpecError } from '../src/errors.js';

test('format() quotes the input with a caret under the column and the hint', () => {
  const e = new SpecError('E_BAD_REGISTER', 'unknown register %rdi', {
    input: 'k:f(x=%rdi)',
    column: 6,
    length: 4,
    hint: 'write %di',
  });
  assert.equal(e.format(), 'unknown register %rdi\n  k:f(x=%rdi)\n        ^~~~\n  hint: write %di');
  assert.equal(e.exitCode, 2);
  assert.equal(e.code, 'E_BAD_REGISTER');
  assert.ok(e instanceof ProbekitError);
});
