import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startCounter, startRecordStream } from '../../../src/bpf/gen/run.js';
import { createPerfBuffer } from '../../../src/bpf/perfbuf.js';
import { bpftoolSkipReason, heldBpfIds, liveSkipReason, openFds, waitGone } from './helpers.js';

const skip = liveSkipReason() ?? bpftoolSkipReason();
const bpfIndex = fileURLToPath(new URL('../../../src/bpf/index.js', import.meta.url));

/** A child that attaches a counter, a histogram and a ring buffer stream, prints their ids, then waits. */
const CHILD = `
const bpf = await import(${JSON.stringify(bpfIndex)});
const tp = { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' };
const c = bpf.startCounter({ target: tp, key: { by: 'comm' } });
const h = bpf.startLog2Hist({ target: tp, value: { offset: 8, size: 4, signed: true, name: 'nr' } });
const s = bpf.startRecordStream({ target: tp, values: [], size: 1 << 16 });
const ids = { progs: [c.program.id(), h.program.id(), s.program.id()], maps: [c.map.id(), h.map.id()],
  links: [c.attachment.linkId(), h.attachment.linkId(), s.attachment.linkId()].filter((x) => x !== undefined) };
process.stdout.write(JSON.stringify(ids) + '\\n');
setInterval(() => {}, 1000);
`;

test('a process killed with -9 leaves no program, map or link behind', async (t) => {
  if (skip) return t.skip(skip);
  const child = spawn(process.execPath, ['--input-type=module', '-e', CHILD], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      if (buf.includes('\n')) resolve(buf.split('\n')[0] as string);
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code} before printing ids`)));
  });
  const ids = JSON.parse(line) as { progs: number[]; maps: number[]; links: number[] };
  assert.equal(ids.progs.length, 3);
  assert.ok(heldBpfIds(child.pid as number).length >= 6, 'the child holds its objects');
  const exited = new Promise((r) => child.on('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.deepEqual(await waitGone(ids, 5000), [], 'the kernel released everything the child held');
});

test('every fd probekit opens is close-on-exec', (t) => {
  if (skip) return t.skip(skip);
  const before = openFds();
  const tp = { kind: 'tracepoint', group: 'syscalls', event: 'sys_enter_getppid' } as const;
  const c = startCounter({ target: tp, key: { by: 'pid' } });
  const s = startRecordStream({ target: tp, values: [], size: 1 << 16 });
  const pb = createPerfBuffer('cloexec', 1);
  try {
    const opened = [...openFds()].filter(
      ([fd, target]) => before.get(fd) !== target && target.startsWith('anon_inode:'),
    );
    assert.ok(opened.length >= 8, `opened ${opened.length} fds`);
    for (const [fd, target] of opened) {
      const flags = /^flags:\s*([0-7]+)/m.exec(
        readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8'),
      )?.[1];
      assert.ok(
        flags !== undefined && (Number.parseInt(flags, 8) & 0o2000000) !== 0,
        `fd ${fd} (${target}) is O_CLOEXEC`,
      );
    }
  } finally {
    pb.close();
    s.close();
    c.close();
  }
});
