/**
 * The verifier accepts every program the BPF target generates: each kind of
 * slot, each kind of filter, with and without a process filter, sleepable
 * uprobe programs, the fork follower; and loading leaves no fd behind.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadBpfPrograms } from '../../../src/api/bpf-source.js';
import { hasFeature } from '../../../src/bpf/features.js';
import { planBpf } from '../../../src/plan/bpf/plan.js';
import { parseFormat } from '../../../src/stream/format.js';
import { PROJECT_ROOT } from '../../helpers/live.js';
import { planTexts } from '../../plan/helpers.js';
import { leakedFds, liveSkipReason, openFds } from './helpers.js';

const skip = liveSkipReason();

const OPENAT = parseFormat(
  readFileSync(join(PROJECT_ROOT, 'testdata/stream/format.syscalls.sys_enter_openat'), 'utf8'),
  'syscalls',
);

function plans(texts: readonly string[]) {
  return planBpf(planTexts(texts, 'x86_64'), {
    tracepointFields: (g, e) =>
      g === 'syscalls' && e === 'sys_enter_openat' ? OPENAT.fields : null,
  });
}

const VARIANTS = [
  'u:/bin/true:0x10(a=%di:s32, b=+8(+16(%si)):u16, s=+0(%dx):string, v=+0(%cx):ustring[3], n=+0(%r8):s16[2], c=$comm, f=+0(%r9):b3@2/32, i=\\-5, st=$stack1)',
  'ur:/bin/true:0x10(retval:s64) if retval < -1 || retval >= 0x100000000',
  'k:vfs_read(a=+0(+8(%di)):string, b=%si:x32, c=+u8(%dx):ustring, d=+0(%di):u8[4]) if b & 4 && !(a == "x") && a ~ "ab*"',
  'kr:vfs_read(retval:s32) if retval != -2 && comm == "cat" && pid > 1 && cpu <= 1',
  't:syscalls:sys_enter_openat(filename:ustring, dfd) if flags & 64 || dfd == -100',
  't:syscalls:sys_enter_openat',
];

test('the verifier accepts every generated variant', { skip: skip ?? false }, () => {
  const before = openFds();
  const all = plans(VARIANTS);
  for (const pids of [undefined, [process.pid]]) {
    const loaded = loadBpfPrograms(all, { name: 'verify', ...(pids ? { pids } : {}) }, false);
    try {
      assert.equal(loaded.programs.length, all.length + (pids ? 1 : 0), 'and the fork follower');
      for (const p of loaded.programs) assert.ok(p.fd > 0);
    } finally {
      loaded.owner.close();
    }
  }
  assert.deepEqual(leakedFds(before), []);
});

test('uprobe programs load sleepable where the kernel allows it', {
  skip:
    skip ?? (hasFeature('sleepable_uprobe') ? false : 'needs sleepable uprobe programs (5.19+)'),
}, () => {
  const loaded = loadBpfPrograms(plans([VARIANTS[0]!, VARIANTS[1]!]), { name: 'verify' }, false);
  try {
    const text = loaded.programs.map((p) => p.dump()).join('\n');
    assert.match(text, /call bpf_copy_from_user#148/, 'user memory read with faults allowed');
  } finally {
    loaded.owner.close();
  }
});
