/**
 * Fuzz: random, mutated and generated specs must each give a ProbeSpec or a
 * SpecError (never another exception), quickly. The seed is printed; rerun a
 * failure with PROBEKIT_FUZZ_SEED=<seed>.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SpecError } from '../../src/errors.js';
import { parseProbe, renderRawLine, SPEC_ERROR_CODES } from '../../src/spec/index.js';
import type { ProbeSpec } from '../../src/spec/types.js';
import { strip } from './helpers.js';

/** mulberry32: small, fast, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = Number(process.env.PROBEKIT_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32));
const PER_CALL_MS = 100;

const CORPUS = [
  'k:do_sys_open(dfd:s32, filename:string, flags:x32, mode:u16) if filename ~ "/etc/*" && dfd == -100',
  'kr:vfs_read(retval:s64) if retval < 0',
  'k:ext4:ext4_sync_file+0x10(x=%di, y=+8(%si):u32)',
  'u:/bin/bash:readline',
  'ur:/bin/bash:readline(retval:string)',
  'u:libc:malloc(size) if size > 4096 || !(size == 0)',
  'u:./app:0x1149(x=@+0x10:u32, y=+u0(%si):ustring)',
  't:sched:sched_switch(prev_comm, next_pid:s32) if next_pid != 0',
  'k:f(name=+8(arg2):u32, x=+0(+8(filename)):u64, args)',
  'k:vfs_read(p=file->f_path.dentry->d_name.name:string, file->f_pos)',
  'k:f(a=%di, b=@jiffies, c=@sym+8, d=@0x1000, e=-8(%sp), g=\\42, h=\\"str", i=\\-1, j=$stack3)',
  'k:f(a:b4@3/32, b:u8[16], c:%pd, d:symstr, e:char[4])',
  'k:0xffffffff81000000(comm, stack2)',
  'p:probekit/open do_sys_open dfd=%di:s32 filename=+0(%si):string flags=%dx:x32',
  'r100:grp/ev vfs_read $retval',
  'p /opt/app:0x1149%return(0x4010) x=%ax',
  'p vfs_read n=+0(+24(+8(%di))):string m=-8(+0(%sp)):u64 i=\\42 s=\\"hello"',
  'p vfs_read f=+16(%di):b4@3/32 a=+0(%si):u8[16] $arg*',
  'p:libc:sleep %di',
  'r:do_sys_open $retval',
  'p:kprobes/ ext4:ext4_sync_file+16 %ax',
  '-:probekit/x',
];

const ALPHABET = 'kKrRuUtTpPfiags:()[],=+-*%@$\\"~&|!<>#/.0123456789xabdlnv_ \t\u00e9\u{1F600}';
const TOKENS = [
  'k:',
  'kr:',
  'u:',
  'ur:',
  't:',
  'p ',
  'r ',
  'p:',
  'r5:',
  '(',
  ')',
  ',',
  ':',
  '=',
  '+0(',
  '%di',
  '$retval',
  '$arg1',
  'arg1',
  '$stack',
  'retval',
  'comm',
  'args',
  '$arg*',
  '@jiffies',
  '@+0x10',
  '\\"s"',
  '\\42',
  ':u32',
  ':string',
  ':b4@3/32',
  '[4]',
  ' if ',
  '==',
  '~',
  '&&',
  '||',
  '!',
  '"x*"',
  '-100',
  '->',
  '.',
  '%return',
  '(0x10)',
  '/bin/sh:0x10',
];

function pick<T>(rnd: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rnd() * xs.length)]!;
}

function randomString(rnd: () => number, max: number): string {
  const n = Math.floor(rnd() * max);
  let s = '';
  for (let i = 0; i < n; i++) s += rnd() < 0.3 ? pick(rnd, TOKENS) : pick(rnd, [...ALPHABET]);
  return s;
}

function mutate(rnd: () => number, s: string): string {
  const steps = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < steps; k++) {
    const i = Math.floor(rnd() * (s.length + 1));
    const j = Math.min(s.length, i + Math.floor(rnd() * 8));
    switch (Math.floor(rnd() * 7)) {
      case 0:
        s = s.slice(0, i) + pick(rnd, [...ALPHABET]) + s.slice(i);
        break;
      case 1:
        s = s.slice(0, i) + s.slice(j);
        break;
      case 2:
        s = s.slice(0, i) + pick(rnd, TOKENS) + s.slice(j);
        break;
      case 3:
        s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
        break;
      case 4:
        s = s.slice(0, i) + pick(rnd, CORPUS).slice(Math.floor(rnd() * 20));
        break;
      case 5:
        s = s.slice(0, i);
        break;
      default:
        s = s.slice(0, i) + pick(rnd, TOKENS) + s.slice(i);
        break;
    }
  }
  return s;
}

/** Grammar-shaped specs, mostly valid. */
function generate(rnd: () => number): string {
  const kind = pick(rnd, ['k:', 'kr:', 'u:', 'ur:', 't:', 'kprobe:', 'uretprobe:']);
  const target = kind.startsWith('u')
    ? pick(rnd, ['/bin/sh:main', 'libc:malloc', './a:0x10', '/x:y:f+4'])
    : kind === 't:'
      ? 'sched:sched_switch'
      : pick(rnd, ['vfs_read', 'mod:f', 'f+0x10', '0xffff']);
  const fetches = [
    '%di',
    '+8(%si)',
    '+0(+8(arg1))',
    'filename',
    'file->f_path.dentry',
    '$stack2',
    '\\42',
    '\\"s"',
    '@jiffies',
    '@+0x10',
    '$comm',
    'retval',
    '-u4(%sp)',
  ];
  const types = [
    '',
    ':u32',
    ':s64',
    ':x8',
    ':string',
    ':ustring',
    ':b3@2/8',
    ':u8[4]',
    ':symbol',
    ':char',
  ];
  const n = Math.floor(rnd() * 5);
  const args: string[] = [];
  for (let i = 0; i < n; i++)
    args.push(`${rnd() < 0.7 ? `a${i}=` : ''}${pick(rnd, fetches)}${pick(rnd, types)}`);
  const list = rnd() < 0.8 ? `(${args.join(rnd() < 0.5 ? ', ' : ',')})` : '';
  const filter =
    rnd() < 0.5
      ? ` if ${pick(rnd, ['a0 == 1', 'x ~ "a*"', '!(y < -3) && z != 0x10', '(a || b == 2)'])}`
      : '';
  return `${kind}${target}${list}${filter}`;
}

function checkSpans(value: unknown, len: number, where: string): void {
  if (Array.isArray(value)) {
    for (const v of value) checkSpans(v, len, where);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value)) {
    if ((k === 'span' || k === 'fieldSpan') && v !== null && typeof v === 'object') {
      const s = v as { start: number; end: number };
      assert.ok(
        0 <= s.start && s.start <= s.end && s.end <= len,
        `${where}: span ${JSON.stringify(s)} out of 0..${len}`,
      );
    } else checkSpans(v, len, where);
  }
}

function checkOne(input: string, label: string): 'ok' | 'error' {
  const where = `${label} seed=${SEED} input=${JSON.stringify(input)}`;
  const t0 = performance.now();
  let spec: ProbeSpec | null = null;
  try {
    spec = parseProbe(input);
  } catch (e) {
    if (!(e instanceof SpecError)) {
      assert.fail(`${where}: threw ${e instanceof Error ? e.stack : String(e)}`);
    }
    assert.ok(Object.hasOwn(SPEC_ERROR_CODES, e.code), `${where}: code ${e.code}`);
    assert.equal(e.input, input, where);
    assert.ok(
      e.column !== undefined && e.column >= 0 && e.column <= input.length,
      `${where}: column ${e.column}`,
    );
    assert.ok(e.message.length > 0 && (e.hint ?? '').length > 0, where);
    e.format();
  }
  let dt = performance.now() - t0;
  // A slow call is timed again: a GC pause or a busy machine does not repeat, a hang does.
  for (let retry = 0; retry < 3 && dt >= PER_CALL_MS; retry++) {
    const t1 = performance.now();
    try {
      parseProbe(input);
    } catch {}
    dt = Math.min(dt, performance.now() - t1);
  }
  assert.ok(dt < PER_CALL_MS, `${where}: took ${dt.toFixed(1)} ms`);
  if (spec === null) return 'error';
  assert.equal(spec.text, input, where);
  checkSpans(spec, input.length, where);
  if (spec.args) {
    const names = spec.args.map((a) => a.name);
    assert.equal(new Set(names).size, names.length, `${where}: duplicate names`);
  }
  if (spec.syntax === 'raw') {
    const again = parseProbe(renderRawLine(spec));
    assert.deepEqual(
      strip({ ...again, text: '' }),
      strip({ ...spec, text: '' }),
      `${where}: raw round trip`,
    );
  }
  return 'ok';
}

test(`fuzz: 28,000 random, mutated and generated specs give a ProbeSpec or a SpecError (seed ${SEED})`, (t) => {
  t.diagnostic(`fuzz seed ${SEED} (rerun with PROBEKIT_FUZZ_SEED=${SEED})`);
  const rnd = prng(SEED);
  const counts = { ok: 0, error: 0 };
  for (let i = 0; i < 20000; i++)
    counts[checkOne(mutate(rnd, pick(rnd, CORPUS)), `mutated#${i}`)]++;
  for (let i = 0; i < 4000; i++) counts[checkOne(randomString(rnd, 60), `random#${i}`)]++;
  for (let i = 0; i < 4000; i++) counts[checkOne(generate(rnd), `generated#${i}`)]++;
  t.diagnostic(`parsed ${counts.ok}, rejected ${counts.error}`);
  // both outcomes must be well represented, or the fuzzer is not exercising the parser
  assert.ok(counts.ok > 2000, `only ${counts.ok} parsed`);
  assert.ok(counts.error > 2000, `only ${counts.error} rejected`);
});

test('pathological inputs stay fast (no backtracking, bounded recursion)', () => {
  const big = [
    `k:f(${'a,'.repeat(2000)}a)`,
    `k:f(x=${'+0('.repeat(1300)}%di${')'.repeat(1300)})`,
    `k:f if ${'('.repeat(2000)}a == 1`,
    `k:f if ${'!'.repeat(4000)}`,
    `k:f if ${'a == 1 && '.repeat(400)}a == 1`,
    `p vfs_read ${'%di '.repeat(1000)}`,
    `p vfs_read ${Array.from({ length: 128 }, (_, i) => `a${i}=%di`).join(' ')}`,
    `u:${'a:'.repeat(2000)}`,
    `k:f if a == "${'x'.repeat(4000)}`,
    `k:f(x=\\"${'x'.repeat(4000)})`,
    `k:f(x:${'b'.repeat(4000)})`,
    `k:f(a:u8[${'9'.repeat(4000)}])`,
    `${' '.repeat(4096)}`,
    `k:${'f'.repeat(4094)}`,
    `k:f(${'x'.repeat(33)})`,
    `k:f(x=+${'9'.repeat(2000)}(%di))`,
    `p vfs_read x=@${'9'.repeat(60)}`,
  ];
  for (const input of big) checkOne(input, 'pathological');
});
