import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbekitError } from '../../src/errors.js';
import { findField, parseFormat } from '../../src/stream/format.js';
import { fixtureText } from './fixtures.js';

test('a real uprobe entry format: offsets, sizes, arrays, strings', () => {
  const f = parseFormat(fixtureText('format.probe.tentry'), 'probe');
  assert.equal(f.name, 'tentry');
  assert.equal(f.group, 'probe');
  assert.ok(f.id > 0);
  assert.deepEqual(
    f.commonFields.map((c) => [c.name, c.offset, c.size, c.signed]),
    [
      ['common_type', 0, 2, false],
      ['common_flags', 2, 1, false],
      ['common_preempt_count', 3, 1, false],
      ['common_pid', 4, 4, true],
    ],
  );
  assert.deepEqual(
    f.fields.map((x) => x.name),
    ['__probe_ip', 'a', 'ax', 'au', 's', 'arr', 'xarr', 'bf', 'big', 'c', 'istr', 'sa'],
  );
  const sa = findField(f, 'sa')!;
  assert.equal(sa.type, '__data_loc char[][2]', 'probe string[2]');
  assert.deepEqual([sa.isDataLoc, sa.isString, sa.arrayLength, sa.size], [true, true, 2, 8]);
  const s = findField(f, 's')!;
  assert.equal(s.isDataLoc, true);
  assert.equal(s.isString, true);
  assert.equal(s.offset, 29, 'probe arguments are packed without alignment');
  const arr = findField(f, 'arr')!;
  assert.deepEqual(
    [arr.type, arr.arrayLength, arr.elementSize, arr.signed, arr.isString],
    ['s32', 3, 4, true, false],
  );
  const xarr = findField(f, 'xarr')!;
  assert.deepEqual([xarr.arrayLength, xarr.elementSize, xarr.signed], [2, 2, false]);
  const a = findField(f, 'a')!;
  assert.deepEqual([a.type, a.size, a.signed, a.arrayLength], ['s64', 8, true, null]);
  assert.ok(f.printFmt.startsWith('(%lx) a=%Ld ax=0x%x'));
  assert.ok(f.printArgs.startsWith('REC->__probe_ip, REC->a'));
  assert.equal(findField(f, 'common_pid')?.offset, 4);
});

test('a real return probe and tracepoint formats', () => {
  const r = parseFormat(fixtureText('format.probe.tret'));
  assert.deepEqual(
    r.fields.map((x) => [x.name, x.offset, x.size]),
    [
      ['__probe_func', 8, 8],
      ['__probe_ret_ip', 16, 8],
      ['ret', 24, 8],
    ],
  );
  const o = parseFormat(fixtureText('format.syscalls.sys_enter_openat'), 'syscalls');
  const dfd = findField(o, 'dfd')!;
  assert.equal(dfd.type, 'int');
  assert.equal(dfd.size, 8, 'the size, not the declared C type, counts');
  assert.equal(findField(o, 'filename')?.type, 'const char *');
  const e = parseFormat(fixtureText('format.sched.sched_process_exec'));
  const fn = findField(e, 'filename')!;
  assert.deepEqual([fn.isDataLoc, fn.isString, fn.size, fn.elementSize], [true, true, 4, 1]);
});

const HEAD = `name: x
ID: 7
format:
\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;
`;

test('char arrays, __rel_loc, dynamic int arrays, struct-sized fields', () => {
  const f = parseFormat(
    `${HEAD}\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;
\tfield:__rel_loc char[] name;\toffset:24;\tsize:4;\tsigned:0;
\tfield:__data_loc u32[] ids;\toffset:28;\tsize:4;\tsigned:0;
\tfield:unsigned char addr[6];\toffset:32;\tsize:6;\tsigned:0;

print fmt: "comm=%s", REC->comm
`,
  );
  const [comm, name, ids, addr] = f.fields;
  assert.deepEqual([comm?.isString, comm?.arrayLength, comm?.elementSize], [true, 16, 1]);
  assert.deepEqual([name?.isRelLoc, name?.isDataLoc, name?.isString], [true, false, true]);
  assert.deepEqual([ids?.isDataLoc, ids?.isString, ids?.elementSize], [true, false, 4]);
  assert.deepEqual([addr?.arrayLength, addr?.elementSize, addr?.isString], [6, 1, true]);
  assert.equal(f.printFmt, 'comm=%s');
});

function formatErr(text: string): ProbekitError {
  try {
    parseFormat(text);
  } catch (e) {
    assert.ok(e instanceof ProbekitError);
    return e;
  }
  assert.fail('expected an error');
}

test('malformed formats give E_FORMAT_SYNTAX with the line number', () => {
  const noId = formatErr('name: x\nformat:\n');
  assert.equal(noId.code, 'E_FORMAT_SYNTAX');
  assert.match(noId.message, /missing "ID:"/);
  const badField = formatErr(`${HEAD}\tfield:int x;\toffset:8;\tsize:four;\tsigned:1;\n`);
  assert.equal(badField.details['line'], 5);
  assert.match(badField.message, /line 5/);
  assert.equal(badField.input, '\tfield:int x;\toffset:8;\tsize:four;\tsigned:1;');
  const junk = formatErr(`${HEAD}what is this\n`);
  assert.match(junk.message, /line 5: unexpected line/);
  const bigId = formatErr('name: x\nID: 99999999\nformat:\n');
  assert.equal(bigId.details['line'], 2);
  assert.match(
    formatErr(`${HEAD}\tfield:int;\toffset:8;\tsize:4;\tsigned:1;\n`).message,
    /declaration/,
  );
  assert.match(formatErr('name: a\nname: b\n').message, /second "name:"/);
});
