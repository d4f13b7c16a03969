/** Every tool: --help prints usage with examples; bad options are usage errors with exit code 2. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';

const TOOLS = [
  'execsnoop',
  'opensnoop',
  'funccount',
  'funclatency',
  'syscount',
  'argdist',
  'errsnoop',
];

test('each tool has usage text with options, examples, overhead and requirements', async () => {
  for (const t of TOOLS) {
    const r = await runCli([t, '--help']);
    assert.equal(r.code, 0, t);
    for (const part of [
      'USAGE',
      'OPTIONS',
      'EXAMPLES',
      'OVERHEAD',
      'REQUIREMENTS',
      '--json',
      '-d, --duration',
    ])
      assert.ok(r.stdout.includes(part), `${t} usage lacks ${part}`);
  }
  const top = await runCli(['--help']);
  for (const t of TOOLS) assert.match(top.stdout, new RegExp(`^  ${t}\\s`, 'm'));
});

const BAD: readonly (readonly string[])[] = [
  ['execsnoop', '--bogus'],
  ['execsnoop', 'extra'],
  ['execsnoop', '--uid', 'root'],
  ['execsnoop', '--max-args', '65'],
  ['execsnoop', '-n', '('],
  ['opensnoop', '-p', 'abc'],
  ['opensnoop', '-d', '0'],
  ['funccount'],
  ['funccount', '-i', 'x', 'u:libc:malloc'],
  ['funccount', 'x:bad'],
  ['funclatency'],
  ['funclatency', 'a', 'b'],
  ['funclatency', '-u', '-m', 'u:libc:malloc'],
  ['funclatency', 't:sched:sched_switch'],
  ['syscount', '-T', '-1'],
  ['syscount', 'extra'],
  ['argdist'],
  ['argdist', '-C', 'u:libc:malloc'],
  ['argdist', '-C', 'k:vfs_read(count'],
  ['errsnoop'],
  ['errsnoop', 't:syscalls:sys_enter_openat'],
  ['funccount', '--backend', 'gpu', 'u:libc:malloc'],
  ['funclatency', '--backend', 'kernel', 'u:libc:malloc'],
  ['syscount', '--backend', ''],
  ['argdist', '--backend', 'BPF', '-C', 'u:libc:malloc(size)'],
];

test('bad options and arguments exit 2 with a message naming the tool', async () => {
  for (const args of BAD) {
    const r = await runCli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^probekit: /, args.join(' '));
    assert.doesNotMatch(r.stderr, /internal error|\n\s+at /, args.join(' '));
  }
});

test('the counting tools document --backend and both backends in OVERHEAD', async () => {
  for (const t of ['funccount', 'funclatency', 'syscount', 'argdist']) {
    const r = await runCli([t, '--help']);
    assert.equal(r.code, 0, t);
    assert.match(r.stdout, /--backend B\s+bpf .*tracefs/s, t);
    const overhead = r.stdout.slice(r.stdout.indexOf('OVERHEAD'), r.stdout.indexOf('REQUIREMENTS'));
    assert.match(overhead, /BPF/, `${t} OVERHEAD names BPF`);
    assert.match(overhead, /tracefs/, `${t} OVERHEAD names tracefs`);
  }
});
