/** `probekit explain` through main(), with captured streams. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { ARCH_NAMES } from '../../src/arch/index.js';
import { main } from '../../src/cli/main.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(['explain', ...argv], { stdout, stderr });
  return { code, out: stdout.text, err: stderr.text };
}

const OPEN = 'k:do_sys_open(dfd, filename:string, flags, mode)';

test('x86_64: filename is the 2nd argument, in %si / regs->si / rsi, written +0(%si):string', async () => {
  // --no-btf: on an x86_64 host with BTF, explain would type the arguments from the prototype.
  const r = await run(OPEN, '--arch', 'x86_64', '--no-btf');
  assert.equal(r.code, 0);
  assert.equal(r.err, '');
  const lines = r.out.split('\n');
  assert.equal(lines[0], OPEN);
  assert.equal(lines[1], '  kprobe on do_sys_open, x86_64, kernel calling convention');
  assert.match(r.out, /\n {2}filename +2nd argument +%si +regs->si +rsi +\+0\(%si\):string\n/);
  assert.ok(
    r.out.includes(
      '  append to kprobe_events:\n    p:probekit_explain/p_do_sys_open_0 do_sys_open dfd=%di filename=+0(%si):string flags=%dx mode=%cx\n',
    ),
  );
  assert.ok(
    r.out.includes(
      '  remove with (append to kprobe_events):\n    -:probekit_explain/p_do_sys_open_0\n',
    ),
  );
  assert.ok(r.out.includes('taken by position: no prototype known'));
});

test('arm64 (by its uname name aarch64): +0(%x1):string', async () => {
  const r = await run(OPEN, '--arch', 'aarch64');
  assert.equal(r.code, 0);
  assert.match(
    r.out,
    /\n {2}filename +2nd argument +%x1 +regs->regs\[1\] +x1 +\+0\(%x1\):string\n/,
  );
  assert.ok(
    r.out.includes(
      'p:probekit_explain/p_do_sys_open_0 do_sys_open dfd=%x0 filename=+0(%x1):string flags=%x2 mode=%x3',
    ),
  );
});

test('a filter is shown with its file', async () => {
  const r = await run('k:vfs_read(file, buf, count) if count > 4096', '--arch', 'x86_64');
  assert.equal(r.code, 0);
  assert.ok(
    r.out.includes('  filter (events/probekit_explain/p_vfs_read_0/filter):\n    count > 4096\n'),
  );
});

test('--arch all: one row per architecture with each argument fetch', async () => {
  const r = await run('k:do_sys_open(dfd, filename:string)', '--arch', 'all');
  assert.equal(r.code, 0);
  const rows = r.out.split('\n');
  assert.match(rows[1] ?? '', /^ {2}ARCH +dfd +filename$/);
  const want: Record<string, [string, string]> = {
    x86_64: ['%di', '+0(%si):string'],
    i386: ['%ax', '+0(%dx):string'],
    arm64: ['%x0', '+0(%x1):string'],
    arm: ['%r0', '+0(%r1):string'],
    riscv64: ['%a0', '+0(%a1):string'],
    s390x: ['%r2', '+0(%r3):string'],
    powerpc64le: ['%r3', '+0(%r4):string'],
    powerpc64: ['%r3', '+0(%r4):string'],
    loongarch64: ['%r4', '+0(%r5):string'],
    mips64: ['%r4', '+0(%r5):string'],
  };
  for (const arch of ARCH_NAMES) {
    const row = rows.find((l) => l.startsWith(`  ${arch} `));
    assert.ok(row, arch);
    assert.deepEqual(row?.trim().split(/\s+/), [arch, ...(want[arch] ?? [])]);
  }
  assert.ok(r.out.includes('  remove with: -:probekit_explain/p_do_sys_open_0'));
});

test('--arch all shows refusals per architecture and still succeeds', async () => {
  const r = await run('k:f(a, b, c, d, e, f, g, h, i)', '--arch', 'all');
  assert.equal(r.code, 0);
  assert.match(r.out, /\n {2}powerpc64le +refused: E_PLAN_STACK_ARG\n/);
  assert.match(
    r.out,
    /\nrefused:\n {2}powerpc64le: i is argument 9 of f, which powerpc64le does not pass in a register\n {4}hint: powerpc64 passes arguments 9/,
  );
});

test('--json: the plan as data, bigints as strings', async () => {
  const r = await run(OPEN, '--arch', 'x86_64', '--json', '--no-btf');
  assert.equal(r.code, 0);
  const data = JSON.parse(r.out) as {
    arch: string;
    group: string;
    probes: {
      definition: string;
      args: {
        name: string;
        register: string;
        ptRegs: string;
        asm: string;
        fetch: string;
        position: number;
      }[];
    }[];
  };
  assert.equal(data.arch, 'x86_64');
  assert.equal(data.group, 'probekit_explain');
  assert.equal(
    data.probes[0]?.definition,
    'p:probekit_explain/p_do_sys_open_0 do_sys_open dfd=%di filename=+0(%si):string flags=%dx mode=%cx',
  );
  assert.deepEqual(
    { ...data.probes[0]?.args[1], notes: undefined, type: undefined, token: undefined },
    {
      name: 'filename',
      position: 2,
      register: '%si',
      ptRegs: 'regs->si',
      asm: 'rsi',
      fetch: '+0(%si):string',
      notes: undefined,
      type: undefined,
      token: undefined,
    },
  );
});

test('--json --arch all: every architecture', async () => {
  const r = await run('k:f(a, b, c, d, e, f, g, h, i)', '--arch', 'all', '--json');
  assert.equal(r.code, 0);
  const data = JSON.parse(r.out) as {
    arches: { arch: string; error?: { code: string }; probes?: unknown[] }[];
  };
  assert.deepEqual(
    data.arches.map((a) => a.arch),
    ARCH_NAMES,
  );
  assert.equal(data.arches.find((a) => a.arch === 'powerpc64')?.error?.code, 'E_PLAN_STACK_ARG');
  assert.equal(data.arches.find((a) => a.arch === 'arm64')?.probes?.length, 1);
});

test('the default is this machine', async () => {
  const r = await run('k:do_sys_open(dfd)');
  assert.equal(r.code, 0);
  if (process.arch === 'x64') assert.ok(r.out.includes(' dfd=%di'));
});

test('bad input: exit 2, a message with a caret, no stack trace', async () => {
  const cases: [string[], RegExp][] = [
    [
      ['k:f(x=%rdi)', '--arch', 'x86_64'],
      /^probekit: x86_64 has no register '%rdi' in tracefs\n {2}k:f\(x=%rdi\)\n {8}\^~~~\n {2}hint: tracefs spells x86_64 registers without the r: write %di\n$/,
    ],
    [
      ['k:f', '--arch', 'sparc'],
      /^probekit: unknown architecture 'sparc'\n {2}hint: known architectures: x86_64, i386/,
    ],
    [
      ['k:vfs_read(count) if size > 1', '--arch', 'x86_64'],
      /^probekit: the filter uses 'size', which this probe does not record\n/,
    ],
    [['x:nonsense'], /^probekit: unknown probe kind/],
    [[], /^probekit: probekit explain: give at least one probe spec\n/],
    [['k:f', '--bogus'], /^probekit: probekit explain: Unknown option '--bogus'/],
  ];
  for (const [argv, re] of cases) {
    const r = await run(...argv);
    assert.equal(r.code, 2, argv.join(' '));
    assert.equal(r.out, '');
    assert.match(r.err, re);
    assert.ok(!r.err.includes('    at '), 'no stack trace');
  }
});

test('refused on every architecture: exit 2', async () => {
  const r = await run('k:f(x=%nosuch)', '--arch', 'all');
  assert.equal(r.code, 2);
  assert.ok(r.out.includes('x86_64: x86_64 has no register'));
});

test('--help: purpose, synopsis, options, examples', async () => {
  const r = await run('--help');
  assert.equal(r.code, 0);
  for (const s of [
    'probekit explain SPEC... [--arch ARCH|all] [--no-btf] [--json]',
    '--no-btf',
    '--arch all',
    '--json',
    'EXAMPLES',
    'probekit_<pid>_<random>',
  ]) {
    assert.ok(r.out.includes(s), s);
  }
});
