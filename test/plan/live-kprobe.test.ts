/**
 * Real-kernel check for kprobes (skips on the development machine, which has no
 * kprobes; runs in the QEMU guests with Debian kernels): the planner's lines for
 * the host architecture are accepted, every register name in the table is one
 * the kernel knows, and an enabled probe reads the right argument registers
 * (the file name passed to openat comes back as the string argument).
 * Appends only; removes everything it created.
 */
import assert from 'node:assert/strict';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hostArch } from '../../src/arch/index.js';
import { FULL_FEATURES, plan } from '../../src/plan/index.js';
import type { PlanFeatures } from '../../src/plan/types.js';
import { parseProbe } from '../../src/spec/index.js';

const TRACEFS = '/sys/kernel/tracing';
const EVENTS = `${TRACEFS}/kprobe_events`;

function missing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(EVENTS)) return `needs kprobe events (${EVENTS}; CONFIG_KPROBE_EVENTS)`;
  return null;
}

function features(): PlanFeatures {
  const readme = readFileSync(`${TRACEFS}/README`, 'utf8');
  return { ...FULL_FEATURES, argNAtReturn: readme.includes('$retval, $arg<N>') };
}

function defined(group: string): string[] {
  return readFileSync(EVENTS, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`:${group}/`));
}

function newGroup(): string {
  return `probekit_${process.pid}_${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
}

function removeAll(group: string): void {
  for (const ev of defined(group)) {
    const name = /^[pr]\d*:(\S+)/.exec(ev)?.[1];
    if (name) appendFileSync(EVENTS, `-:${name}\n`);
  }
  assert.deepEqual(defined(group), [], 'everything removed');
}

test('tracefs accepts the planned kprobe lines for this architecture', (t) => {
  const why = missing();
  if (why) {
    t.skip(why);
    return;
  }
  const group = newGroup();
  const specs = [
    'k:vfs_read(file, buf, count) if count > 4096 && comm ~ "node*"',
    'kr:vfs_read(retval:s64)',
    'k:vfs_read(c=comm, s=$stack1, m=+8($stack):u32, st=+0(%' +
      hostArch().kernel.argRegs[1] +
      '):string)',
    'k:vfs_read(a, b, c, d, e, f, g, h, i)',
    'p:rawev vfs_read %' + hostArch().kernel.argRegs[0] + ' x=$stack2',
    'r8:rawret vfs_read $retval',
  ];
  const feats = features();
  if (feats.argNAtReturn) specs.push('kr:vfs_read(file, count, ret=retval:s64)');
  try {
    const p = plan(
      specs.map((s) => parseProbe(s)),
      { arch: hostArch().name, features: feats, group },
    );
    for (const probe of p.probes) {
      assert.equal(probe.file, 'kprobe_events');
      appendFileSync(EVENTS, `${probe.definition}\n`);
    }
    assert.equal(defined(group).length, p.probes.length);
    for (const probe of p.probes) {
      if (!probe.filter) continue;
      writeFileSync(`${TRACEFS}/events/${group}/${probe.event}/filter`, probe.filter);
      assert.equal(
        readFileSync(`${TRACEFS}/events/${group}/${probe.event}/filter`, 'utf8').trim(),
        probe.filter,
      );
    }
  } finally {
    removeAll(group);
  }
});

test("every register in the host's table is a name the kernel accepts in a kprobe", (t) => {
  const why = missing();
  if (why) {
    t.skip(why);
    return;
  }
  const arch = hostArch();
  const group = newGroup();
  try {
    const regs = [...arch.registers];
    for (let i = 0; i < regs.length; i += 100) {
      const args = regs.slice(i, i + 100).map((r) => `r_${r}=%${r}`);
      appendFileSync(EVENTS, `p:${group}/regs${i} vfs_read ${args.join(' ')}\n`);
    }
    assert.equal(defined(group).length, Math.ceil(regs.length / 100));
  } finally {
    removeAll(group);
  }
});

test('an enabled kprobe reads the file name from the 2nd argument register', (t) => {
  const why = missing();
  if (why) {
    t.skip(why);
    return;
  }
  const group = newGroup();
  const instance = `${TRACEFS}/instances/${group}`;
  const path = fileURLToPath(import.meta.url);
  const p = plan([parseProbe('k:do_sys_openat2(dfd:s32, filename:string)')], {
    arch: hostArch().name,
    features: features(),
    group,
  });
  const probe = p.probes[0]!;
  try {
    appendFileSync(EVENTS, `${probe.definition}\n`);
    mkdirSync(instance);
    writeFileSync(
      `${instance}/events/${group}/${probe.event}/filter`,
      `common_pid == ${process.pid}`,
    );
    writeFileSync(`${instance}/events/${group}/${probe.event}/enable`, '1');
    closeSync(openSync(path, 'r'));
    writeFileSync(`${instance}/events/${group}/${probe.event}/enable`, '0');
    const trace = readFileSync(`${instance}/trace`, 'utf8');
    assert.ok(trace.includes(`filename="${path}"`), `the trace shows the opened file:\n${trace}`);
    assert.match(trace, /dfd=-100 /);
  } finally {
    if (existsSync(instance)) rmdirSync(instance);
    removeAll(group);
  }
});
