/** Stack trace map values: u64 ips read up to the first zero; the depth follows the sysctl. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stackCodec, stackDepth } from '../../src/bpf/stack.js';
import { PERF_MAX_STACK_DEPTH } from '../../src/bpf/sys/numbers.js';

test('a stack value decodes innermost first and stops at the first zero', () => {
  const c = stackCodec(4);
  assert.equal(c.size, 32);
  const b = new Uint8Array(32);
  const v = new DataView(b.buffer);
  v.setBigUint64(0, 0xffffffff821ed51fn, true);
  v.setBigUint64(8, 0xffffffff82400076n, true);
  assert.deepEqual(c.decode(b), [0xffffffff821ed51fn, 0xffffffff82400076n]);
  const full = new Uint8Array(32);
  c.encode([1n, 2n, 3n, 4n, 5n], full);
  assert.deepEqual(c.decode(full), [1n, 2n, 3n, 4n], 'never more than the depth');
});

test('the depth is PERF_MAX_STACK_DEPTH unless kernel.perf_event_max_stack is lower', () => {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-stack-'));
  try {
    const f = join(dir, 'perf_event_max_stack');
    writeFileSync(f, '32\n');
    assert.equal(stackDepth(f), 32);
    writeFileSync(f, '1000\n');
    assert.equal(stackDepth(f), PERF_MAX_STACK_DEPTH);
    assert.equal(stackDepth(join(dir, 'absent')), 127);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
