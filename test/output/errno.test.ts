/** errno names for kernel return values, in the text and JSON output of trace. */
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { test } from 'node:test';
import { ERRNO_NAMES, errnoName } from '../../src/output/errno.js';
import { jsonRecord, type LabelledEvent, textLine } from '../../src/output/format-event.js';

test('errnoName: -1..-4095 by name, others null', () => {
  assert.equal(errnoName(-2), 'ENOENT');
  assert.equal(errnoName(-2n), 'ENOENT');
  assert.equal(errnoName(-13), 'EACCES');
  assert.equal(errnoName(-512n), 'ERESTARTSYS');
  assert.equal(errnoName(0), null);
  assert.equal(errnoName(2), null);
  assert.equal(errnoName(-4096), null);
  assert.equal(errnoName(-4000), null, 'in range but unnamed');
});

test('the table agrees with the host errno numbers (generic numbering on x86_64/arm64)', (t) => {
  if (!['x64', 'arm64', 'riscv64', 's390x', 'loong64'].includes(process.arch)) {
    return t.skip(`${process.arch} does not use the generic errno numbers`);
  }
  const host = constants.errno as Record<string, number>;
  let checked = 0;
  for (const [n, name] of Object.entries(ERRNO_NAMES)) {
    if (host[name] === undefined) continue;
    assert.equal(host[name], Number(n), name);
    checked++;
  }
  assert.ok(checked > 60, `checked ${checked} names against os.constants.errno`);
});

function event(fields: LabelledEvent['fields'], errnoFields?: string[]): LabelledEvent {
  return {
    type: 'event',
    group: 'probekit_1_ab',
    event: 'r_do_sys_openat2_0',
    comm: 'cat',
    pid: 10,
    tgid: 10,
    cpu: 0,
    timestampNs: 1_000_000_000n,
    ip: null,
    func: 0xffffffff81000000n,
    retIp: 0xffffffff81000010n,
    fields,
    probe: 'kr:do_sys_openat2',
    ...(errnoFields ? { errnoFields } : {}),
  };
}

test('text: a negative errno retval is shown with its name; others unchanged', () => {
  assert.match(textLine(event({ retval: -2 }, ['retval'])), / retval=-2 ENOENT$/);
  assert.match(textLine(event({ retval: -2n }, ['retval'])), / retval=-2 ENOENT$/);
  assert.match(textLine(event({ retval: 3 }, ['retval'])), / retval=3$/);
  // Not an errno field (no signed prototype): the number alone.
  assert.match(textLine(event({ retval: -2 })), / retval=-2$/);
});

test('JSON: the number stays, retval_errno is added', () => {
  const rec = jsonRecord(event({ retval: -2 }, ['retval']));
  assert.deepEqual(rec['fields'], { retval: -2 });
  assert.equal(rec['retval_errno'], 'ENOENT');
  assert.equal(jsonRecord(event({ retval: 5 }, ['retval']))['retval_errno'], undefined);
  assert.equal('errnoFields' in jsonRecord(event({ retval: -2 }, ['retval'])), false);
});
