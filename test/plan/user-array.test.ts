import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FULL_FEATURES, plan } from '../../src/plan/index.js';
import { parseProbe } from '../../src/spec/index.js';

const lineOf = (text: string): string | null =>
  plan([parseProbe(text)], { arch: 'x86_64', features: FULL_FEATURES, group: 'probekit_1_abcd' })
    .probes[0]!.definition;

test('an array of user strings reads its pointers from user memory (+u0)', () => {
  assert.equal(
    lineOf('k:do_execve(filename, argv:ustring[8])'),
    'p:probekit_1_abcd/p_do_execve_0 do_execve filename=%di argv=+u0(%si):ustring[8]',
  );
  assert.equal(
    lineOf('k:do_execve(filename:ustring)'),
    'p:probekit_1_abcd/p_do_execve_0 do_execve filename=+0(%di):ustring',
  );
  assert.equal(
    lineOf('u:/bin/true:0x10(argv:string[4])'),
    'p:probekit_1_abcd/p_true_0x10_0 /bin/true:0x10 argv=+0(%di):string[4]',
  );
});
