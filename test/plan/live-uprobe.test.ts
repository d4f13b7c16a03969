/**
 * Real-kernel check: the planner's uprobe lines for this machine's architecture
 * are accepted by tracefs, and every register in the host's table is a name the
 * kernel knows. Defines probes (never enables them) in a group of its own,
 * appending to uprobe_events, and removes them all again.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { hostArch } from '../../src/arch/index.js';
import { FULL_FEATURES, plan } from '../../src/plan/index.js';
import { parseProbe } from '../../src/spec/index.js';

const TRACEFS = '/sys/kernel/tracing';
const EVENTS = `${TRACEFS}/uprobe_events`;
const BINARY = '/bin/true';

function missing(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(EVENTS)) return `needs uprobe events (${EVENTS})`;
  if (!existsSync(BINARY)) return `needs ${BINARY}`;
  return null;
}

/** The ELF entry point of a little-endian 64-bit binary: a real instruction to place probes at. */
function entryOffset(path: string): bigint {
  const b = readFileSync(path);
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return dv.getBigUint64(24, true);
}

function defined(group: string): string[] {
  return readFileSync(EVENTS, 'utf8')
    .split('\n')
    .filter((l) => l.includes(`:${group}/`));
}

function withGroup(fn: (group: string, lines: string[]) => void): void {
  const group = `probekit_${process.pid}_${Math.floor(Math.random() * 0xffff)
    .toString(16)
    .padStart(4, '0')}`;
  const lines: string[] = [];
  try {
    fn(group, lines);
  } finally {
    for (const ev of defined(group)) {
      const name = /^[pr]:([^ ]+)/.exec(ev)?.[1];
      if (name) appendFileSync(EVENTS, `-:${name}\n`);
    }
    assert.deepEqual(defined(group), [], 'everything removed');
  }
}

test('tracefs accepts the planned uprobe lines for this architecture', (t) => {
  const why =
    missing() ??
    (hostArch().bits === 64 && hostArch().endian === 'little'
      ? null
      : 'needs a 64-bit little-endian host');
  if (why) {
    t.skip(why);
    return;
  }
  const off = `0x${entryOffset(BINARY).toString(16)}`;
  const specs = [
    `u:${BINARY}:${off}(a, s:string, n:s32)`,
    `ur:${BINARY}:${off}(retval:s64)`,
    `u:${BINARY}:${off}(c=comm, st=$stack1, m=+8($stack):u32)`,
    `u:${BINARY}:${off}(a, b, c, d, e, f, g, h) if a > 10 && comm ~ "tru*"`,
    `p:rawev ${BINARY}:${off} %${hostArch().kernel.argRegs[0]} x=+0(%${hostArch().spReg}):x64`,
  ];
  withGroup((group) => {
    const p = plan(
      specs.map((s) => parseProbe(s)),
      { arch: hostArch().name, features: FULL_FEATURES, group },
    );
    for (const probe of p.probes) {
      assert.equal(probe.file, 'uprobe_events');
      appendFileSync(EVENTS, `${probe.definition}\n`);
    }
    const names = defined(group).map((l) => /^[pr]:[^/]+\/(\S+)/.exec(l)?.[1]);
    assert.deepEqual(names.sort(), p.probes.map((x) => x.event).sort());
    // The filters are accepted by the kernel too.
    for (const probe of p.probes) {
      if (!probe.filter) continue;
      appendFileSync(`${TRACEFS}/events/${group}/${probe.event}/filter`, probe.filter);
      assert.equal(
        readFileSync(`${TRACEFS}/events/${group}/${probe.event}/filter`, 'utf8').trim(),
        probe.filter,
      );
    }
  });
});

test("every register in the host's table is a name tracefs accepts, and an assembler alias is not", (t) => {
  const why = missing();
  if (why) {
    t.skip(why);
    return;
  }
  const arch = hostArch();
  const off = `0x${entryOffset(BINARY).toString(16)}`;
  withGroup((group) => {
    // 128 arguments at most per probe: chunk the register list.
    const regs = [...arch.registers];
    for (let i = 0; i < regs.length; i += 100) {
      const args = regs.slice(i, i + 100).map((r) => `r_${r}=%${r}`);
      appendFileSync(EVENTS, `p:${group}/regs${i} ${BINARY}:${off} ${args.join(' ')}\n`);
    }
    const alias = Object.keys(arch.asmAliases)[0];
    if (alias !== undefined) {
      assert.throws(
        () => appendFileSync(EVENTS, `p:${group}/alias ${BINARY}:${off} a=%${alias}\n`),
        { code: 'EINVAL' },
      );
    }
    assert.equal(defined(group).length, Math.ceil(regs.length / 100));
  });
});
