import assert from 'node:assert/strict';
import { test } from 'node:test';
import { kernelFunctionRows, run, usage } from '../../src/cli/commands/list.js';
import { parseKprobeBlacklist } from '../../src/kernel/blacklist.js';
import { Kallsyms } from '../../src/kernel/kallsyms.js';
import {
  parseAvailableFilterFunctions,
  traceableFromKallsyms,
} from '../../src/kernel/traceable.js';
import { globToRegExp } from '../../src/util/names.js';
import { fixture } from '../kernel/fixtures.js';

const kallsyms = Kallsyms.parse(fixture('kallsyms-6.18-excerpt.txt'));
const aff = parseAvailableFilterFunctions(fixture('available_filter_functions-sample.txt'));
const blacklist = {
  ok: true as const,
  blacklist: parseKprobeBlacklist(fixture('kprobes-blacklist-x86_64.txt')),
  path: 'x',
};

test('kernel function rows mark blacklisted, notrace and duplicated names', () => {
  const rows = kernelFunctionRows(
    {
      kallsyms,
      traceable: {
        source: 'available_filter_functions',
        names: aff.names,
        modules: aff.modules,
        note: null,
      },
      blacklist,
    },
    globToRegExp('*'),
  );
  const marks = (n: string) => rows.find((r) => r.name === n)?.marks;
  assert.deepEqual(marks('vfs_read'), []);
  assert.deepEqual(marks('exc_int3'), ['blacklisted', 'notrace']);
  assert.deepEqual(marks('vfs_rename'), ['notrace']);
  assert.deepEqual(marks('__cpuid'), ['4 copies']);
  assert.ok(!rows.some((r) => r.name.startsWith('__pfx_')));
});

test('kernel function rows for vfs_* with the kallsyms fallback mark nothing as notrace', () => {
  const rows = kernelFunctionRows(
    {
      kallsyms,
      traceable: traceableFromKallsyms(kallsyms, 'EPERM'),
      blacklist: { ok: false, reason: 'no kprobes' },
    },
    globToRegExp('vfs_*'),
  );
  assert.deepEqual(
    rows.map((r) => r.name),
    [
      'vfs_coredump',
      'vfs_coredump.cold',
      'vfs_read',
      'vfs_readlink',
      'vfs_readv',
      'vfs_rename',
      'vfs_rmdir',
      'vfs_write',
    ],
  );
  assert.ok(rows.every((r) => r.marks.length === 0));
  assert.equal(rows.find((r) => r.name === 'vfs_read')?.entries[0]?.address, 0xffffffff816b89f0n);
});

test('list refuses bad option combinations as usage errors (exit 2)', async () => {
  const io = { stdout: process.stdout, stderr: process.stderr };
  await assert.rejects(
    run(['a', 'b'], io),
    (e: Error & { exitCode?: number }) => e.exitCode === 2 && /one PATTERN at most/.test(e.message),
  );
  await assert.rejects(run(['--uprobe', '/bin/true', '--tracepoints'], io), /do not mix/);
  await assert.rejects(run(['--pid', '1'], io), /--pid goes with --uprobe/);
  await assert.rejects(
    run(['--uprobe', '/bin/true', '--pid', 'x'], io),
    /--pid wants a process id, got 'x'/,
  );
});

test('list usage follows the perf-tools layout', () => {
  for (const section of ['USAGE', 'OPTIONS', 'EXAMPLES', 'REQUIREMENTS'])
    assert.match(usage, new RegExp(`\\n${section}\\n`));
  assert.match(usage, /--uprobe PATH +# /);
});
