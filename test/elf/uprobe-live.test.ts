/**
 * Real-kernel check: uprobes placed at the file offsets src/elf computes fire
 * on the right function with the right argument. Uses its own tracefs instance
 * and removes everything it adds.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  accessSync,
  appendFileSync,
  constants,
  existsSync,
  mkdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { resolveUprobeTarget } from '../../src/elf/index.js';
import { have, tempDir } from './helpers.js';

const TRACEFS = '/sys/kernel/tracing';

function whyNot(): string | false {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(join(TRACEFS, 'uprobe_events')))
    return `needs tracefs at ${TRACEFS} with uprobe_events (CONFIG_UPROBE_EVENTS)`;
  try {
    accessSync(join(TRACEFS, 'uprobe_events'), constants.W_OK);
  } catch {
    return 'needs a writable uprobe_events';
  }
  if (!have('gcc')) return 'needs gcc';
  return false;
}

const PROG = `
#include <stdlib.h>
__attribute__((noinline)) int probed(int a, long b) { __asm__ volatile(""); return a + (int)b; }
int main(int argc, char **argv) { int n = argc > 1 ? atoi(argv[1]) : 1, s = 0; for (int i = 0; i < n; i++) s += probed(40 + i, 7); return s == 0; }
`;

test('uprobes at the computed offsets fire (non-PIE and PIE)', { skip: whyNot() }, () => {
  const { dir, cleanup } = tempDir('live');
  const group = `probekit_elftest_${process.pid}`;
  const instance = join(TRACEFS, 'instances', group);
  const events: string[] = [];
  let madeInstance = false;
  try {
    writeFileSync(join(dir, 'p.c'), PROG);
    execFileSync('gcc', ['-O1', '-no-pie', '-fno-pie', '-o', 'nopie', 'p.c'], { cwd: dir });
    execFileSync('gcc', ['-O1', '-pie', '-fpie', '-o', 'pie', 'p.c'], { cwd: dir });
    mkdirSync(instance);
    madeInstance = true;
    for (const file of ['nopie', 'pie']) {
      const t = resolveUprobeTarget(join(dir, file), 'probed', 0n);
      const ev = `probed_${file}`;
      appendFileSync(
        join(TRACEFS, 'uprobe_events'),
        `p:${group}/${ev} ${t.path}:0x${t.fileOffset.toString(16)} a=%di:s32 b=%si:s64\n`,
      );
      events.push(ev);
      writeFileSync(join(instance, 'events', group, ev, 'enable'), '1');
    }
    for (const file of ['nopie', 'pie']) execFileSync(join(dir, file), ['3']);
    const trace = readFileSync(join(instance, 'trace'), 'utf8');
    for (const file of ['nopie', 'pie']) {
      const hits = trace.split('\n').filter((l) => l.includes(` probed_${file}: `));
      assert.equal(hits.length, 3, `${file}: 3 hits in\n${trace}`);
      assert.deepEqual(
        hits.map((l) => /a=(-?\d+) b=(-?\d+)/.exec(l)?.slice(1).join(',')),
        ['40,7', '41,7', '42,7'],
      );
    }
  } finally {
    for (const ev of events) {
      try {
        writeFileSync(join(instance, 'events', group, ev, 'enable'), '0');
      } catch {}
      try {
        appendFileSync(join(TRACEFS, 'uprobe_events'), `-:${group}/${ev}\n`);
      } catch {}
    }
    if (madeInstance) rmdirSync(instance);
    cleanup();
  }
  assert.ok(
    !readFileSync(join(TRACEFS, 'uprobe_events'), 'utf8').includes(group),
    'all probes removed',
  );
});
