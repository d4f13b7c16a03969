/**
 * The parser and the running kernel agree on raw uprobe lines: what the parser
 * accepts, tracefs accepts; what it refuses, tracefs refuses too. Needs root
 * and tracefs with uprobe_events. Every probe goes in one group of our own,
 * appended (never truncated) and removed at the end.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, readFileSync, realpathSync } from 'node:fs';
import { test } from 'node:test';
import { SpecError } from '../../src/errors.js';
import { parseProbe, renderRawLine } from '../../src/spec/index.js';

const TRACEFS = '/sys/kernel/tracing';
const EVENTS = `${TRACEFS}/uprobe_events`;
const GROUP = `probekit_spec_${process.pid}`;

function write(line: string): string | null {
  try {
    appendFileSync(EVENTS, `${line}\n`);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? String(e);
  }
}

function lastKernelError(): string {
  try {
    return readFileSync(`${TRACEFS}/error_log`, 'utf8').trim().split('\n').slice(-3).join('\n');
  } catch {
    return '(no error_log)';
  }
}

test('raw uprobe lines: the parser and the live kernel agree', (t) => {
  if (process.getuid?.() !== 0) return t.skip('needs root');
  if (!existsSync(EVENTS)) return t.skip(`needs tracefs with uprobe_events at ${EVENTS}`);
  const bin = realpathSync('/bin/true');
  let n = 0;
  const ev = () => `${GROUP}/e${++n}`;
  const accept = [
    (e: string) => `p:${e} ${bin}:0x10`,
    (e: string) => `p:${e} ${bin}:16 a=%di:u32 b=%si:s64 c=%dx:x8`,
    (e: string) => `r:${e} ${bin}:0x10 ret=%ax:s32`,
    (e: string) => `p:${e} ${bin}:0x10%return ret=%ax`,
    (e: string) => `p:${e} ${bin}:0x10 b=+0(%si):u8[4] f=+8(%di):b4@3/32 g=+0(%di):b1@7/8`,
    (e: string) => `p:${e} ${bin}:0x10 n=+0(+24(+8(%di))):string m=-8(+0(%sp)):u64`,
    (e: string) => `p:${e} ${bin}:0x10 i=\\42 n=\\-5 h=\\0x10 s=\\"hello"`,
    (e: string) => `p:${e} ${bin}:0x10 c=$comm cc=$COMM:string s=$stack2 sp=$stack`,
    (e: string) => `p:${e} ${bin}:0x10 u=+u0(%si):ustring f=@+0x10:u32 a=@0x1000:u8`,
    (e: string) => `p:${e} ${bin}:0x10 %di %si arg5=%dx`,
    (e: string) => `p:${e} ${bin}:0x10 s=+0(%si):string[2] ch=+0(%si):char`,
  ];
  const reject = [
    (e: string) => `p:${e} ${bin}:0x10 $retval`,
    (e: string) => `p:${e} ${bin}:0x10 a=%di:u33`,
    (e: string) => `p:${e} ${bin}:0x10 a=+0(%di):b9@0/8`,
    (e: string) => `p:${e} ${bin}:0x10 a=+0(%di):u8[65]`,
    (e: string) => `p:${e} ${bin}:0x10 a=+0(%di):u8[0]`,
    (e: string) => `p:${e} ${bin}:0x10 a=@jiffies`,
    (e: string) => `p:${e} ${bin}:0x10 a=$arg1`,
    (e: string) => `p:${e} ${bin}:0x10 a=%di:string`,
    (e: string) => `p:${e} ${bin}:0x10 a=$comm:u32`,
    (e: string) => `p:${e} ${bin}:0x10 a=+0($comm)`,
    (e: string) => `p:${e} ${bin}:0x10 a=%di:symbol`,
    (e: string) => `p:${e} ${bin}:0x10 a=%di a=%si`,
    (e: string) => `p:${e} ${bin}:0x10 common_pid=%di`,
    (e: string) => `p:${e} ${bin}:0x10 a=`,
    (e: string) => `p:${e} ${bin}:0x10 9a=%di`,
    (e: string) => `p:${e} ${bin}:0x10 a=+0(%di`,
    (e: string) => `p:${e} ${bin}:0x10 a=\\"abc`,
    (e: string) => `p:${e} ${bin}:0x10 a=+abc(%di)`,
    (e: string) => `p:${e} ${bin}:0x10 a=$foo`,
    (e: string) => `p:${e} ${bin}:0x10 a=${'+0('.repeat(8)}%di${')'.repeat(8)}${'x'.repeat(40)}`,
    (e: string) => `p:${e} ${bin}:0x10 a=%`,
    (e: string) => `p:${e} ${bin}:zz`,
    (e: string) => `p:${e} ${bin}:0x10%ret`,
    (e: string) => `p:${e} ${bin}:0x10(0x20`,
    (_e: string) => `p:${GROUP}/9e ${bin}:0x10`,
  ];
  try {
    for (const make of accept) {
      const line = make(ev());
      const spec = parseProbe(line);
      const err = write(renderRawLine(spec));
      assert.equal(err, null, `kernel refused ${line}: ${err}\n${lastKernelError()}`);
    }
    for (const make of reject) {
      const line = make(ev());
      let refused = false;
      try {
        parseProbe(line);
      } catch (e) {
        if (!(e instanceof SpecError)) throw e;
        refused = true;
      }
      assert.ok(refused, `parser accepted ${line}`);
      const err = write(line);
      assert.notEqual(err, null, `kernel accepted ${line}, which the parser refuses`);
    }
    const defined = readFileSync(EVENTS, 'utf8')
      .split('\n')
      .filter((l) => l.includes(`:${GROUP}/`));
    assert.equal(defined.length, accept.length);
  } finally {
    write(`-:${GROUP}/`);
    const left = readFileSync(EVENTS, 'utf8')
      .split('\n')
      .filter((l) => l.includes(GROUP));
    assert.deepEqual(left, [], 'probes left behind');
  }
});
