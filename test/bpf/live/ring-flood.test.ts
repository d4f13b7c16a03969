/**
 * The BPF ring buffer reader under a flood: records written by the kernel while
 * the reader polls. Host only (not in the QEMU lane, whose slow guests would
 * spend half a minute of its five on it): the reader is the same on every kernel.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { whyNoBpf } from '../../../src/bpf/availability.js';
import { jsonLines, runCli } from '../../helpers/cli.js';
import { buildC, whyNoTracing } from '../../helpers/live.js';

const noBpf = whyNoBpf({ ringbuf: true });
const skip = whyNoTracing(['syscalls', 'gcc']) ?? (noBpf ? `needs BPF: ${noBpf}` : null);

test('BPF: events at full speed arrive whole: none lost, none torn, none out of order', {
  skip: skip ?? false,
}, async () => {
  // The reader polls while the programs write (records below the wakeup threshold wake
  // nobody): a header read before the kernel published it would show up here as a
  // decode error, a lost record or a stuck reader.
  const n = 300_000; // 19 MB of records
  const bin = buildC(
    `#include <unistd.h>
#include <sys/syscall.h>
int main(void) { for (int i = 0; i < ${n}; i++) syscall(SYS_getppid); return 0; }`,
    'million',
  );
  const r = await runCli(
    // A ring that holds the whole flood: whether Node keeps up depends on the machine's
    // load; what must never happen is a record torn, lost to a misread or out of order.
    [
      'trace',
      '--backend',
      'bpf',
      '--buffer-kb',
      '65536',
      't:syscalls:sys_enter_getppid',
      '--json',
      '-c',
      bin,
    ],
    { timeoutMs: 120_000 },
  );
  assert.equal(r.code, 0, r.stderr);
  const lines = jsonLines(r.stdout);
  const summary = lines.at(-1)!;
  assert.equal(summary['lost'], 0, JSON.stringify(summary));
  assert.equal(summary['decode_errors'], 0, JSON.stringify(summary));
  const events = lines.filter((e) => e['type'] === 'event' && e['comm'] === 'million');
  assert.equal(events.length, n);
  let last = 0n;
  for (const e of events) {
    const ts = BigInt(String(e['time_ns']));
    assert.ok(ts >= last, 'one thread: its events come in order');
    last = ts;
  }
});
