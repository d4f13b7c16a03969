import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FULL_FEATURES, plan } from '../../src/plan/index.js';
import type { TracepointFieldInfo } from '../../src/plan/types.js';
import { parseProbe } from '../../src/spec/index.js';

const OPENAT_FIELDS: TracepointFieldInfo[] = [
  { name: '__syscall_nr', size: 4, signed: true, isString: false },
  { name: 'dfd', size: 8, signed: false, isString: false, narrowSize: 4 },
  { name: 'flags', size: 8, signed: false, isString: false, narrowSize: 4 },
  { name: 'ret', size: 8, signed: true, isString: false },
];

function filterOf(text: string): string | null {
  const p = plan([parseProbe(text)], {
    arch: 'x86_64',
    features: FULL_FEATURES,
    group: 'probekit_1_abcd',
    tracepointFields: () => OPENAT_FIELDS,
  });
  return p.probes[0]!.filter;
}

test('a negative value on an unsigned syscall slot matches the zero- and sign-extended register', () => {
  assert.equal(
    filterOf('t:syscalls:sys_enter_openat if dfd == -100'),
    'dfd == 4294967196 || dfd == 18446744073709551516',
  );
  assert.equal(
    filterOf('t:syscalls:sys_enter_openat if dfd != -100'),
    'dfd != 4294967196 && dfd != 18446744073709551516',
  );
  assert.equal(
    filterOf('t:syscalls:sys_enter_openat if dfd == -100 && flags == 0'),
    '(dfd == 4294967196 || dfd == 18446744073709551516) && flags == 0',
  );
});

test('signed fields and positive values are written as given', () => {
  assert.equal(filterOf('t:syscalls:sys_enter_openat if ret == -2'), 'ret == -2');
  assert.equal(filterOf('t:syscalls:sys_enter_openat if dfd == 3'), 'dfd == 3');
  assert.equal(filterOf('t:syscalls:sys_enter_openat if dfd < -1'), 'dfd < 18446744073709551615');
});
