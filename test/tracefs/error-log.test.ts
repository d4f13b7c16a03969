import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findEntryFor, normaliseCommand, parseErrorLog } from '../../src/tracefs/error-log.js';

// Captured on the development machine (6.18): a bad register on a uprobe line, then an older entry.
const LOG = `[  498.100000] trace_uprobe: error: Failed to find the given file
  Command: p:dgst/e0 /opt/nope:0x1149
                     ^
[  510.264172] trace_uprobe: error: Invalid register name
  Command: p:dgst/e1 /opt/demo/app:0x1149 a=%rdi
                                            ^
[  511.000001] trace_kprobe: error: Invalid probed address or symbol
  Command: p:g/e nosuchfunc
                 ^
`;

test('parses each three-line entry with its caret position', () => {
  const entries = parseErrorLog(LOG);
  assert.equal(entries.length, 3);
  assert.deepEqual(entries[1], {
    time: 510.264172,
    subsystem: 'trace_uprobe',
    message: 'Invalid register name',
    command: 'p:dgst/e1 /opt/demo/app:0x1149 a=%rdi',
    position: 'p:dgst/e1 /opt/demo/app:0x1149 a='.length,
  });
  assert.equal(entries[0]?.position, 'p:dgst/e0 '.length);
  assert.equal(entries[2]?.subsystem, 'trace_kprobe');
});

test('finds the entry of our line after whitespace is folded and comments dropped', () => {
  const entries = parseErrorLog(LOG);
  const e = findEntryFor(entries, 'p:dgst/e1   /opt/demo/app:0x1149\ta=%rdi  # mine');
  assert.equal(e?.message, 'Invalid register name');
  assert.equal(findEntryFor(entries, 'p:dgst/e9 /opt/demo/app:0x1149'), null);
  assert.equal(normaliseCommand('  a  b # c'), 'a b');
});

test('the newest of two entries for the same line wins', () => {
  const twice = `${LOG}[  600.000000] trace_uprobe: error: Invalid register name
  Command: p:dgst/e1 /opt/demo/app:0x1149 a=%rdi
                                           ^
`;
  const e = findEntryFor(parseErrorLog(twice), 'p:dgst/e1 /opt/demo/app:0x1149 a=%rdi');
  assert.equal(e?.time, 600);
  assert.equal(e?.position, 'p:dgst/e1 /opt/demo/app:0x1149 a'.length);
});

test('garbage and truncated logs give no entries or partial ones, never throw', () => {
  assert.deepEqual(parseErrorLog(''), []);
  assert.deepEqual(parseErrorLog('nonsense\n\n^'), []);
  const cut = parseErrorLog('[  1.000000] trace_kprobe: error: Bad');
  assert.equal(cut.length, 1);
  assert.equal(cut[0]?.command, '');
  assert.equal(cut[0]?.position, null);
});
