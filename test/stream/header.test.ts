import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbekitError } from '../../src/errors.js';
import {
  DEFAULT_EVENT_HEADER,
  parseHeaderEvent,
  parseHeaderPage,
} from '../../src/stream/header.js';
import { fixtureText } from './fixtures.js';

test('header_page of the capture kernel', () => {
  assert.deepEqual(parseHeaderPage(fixtureText('header_page')), {
    timestampOffset: 0,
    timestampSize: 8,
    commitOffset: 8,
    commitSize: 8,
    dataOffset: 16,
    dataSize: 4080,
  });
});

test('header_page of a 32-bit kernel and of a bigger sub-buffer is read, not assumed', () => {
  const l = parseHeaderPage(
    '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n\tfield: local_t commit;\toffset:8;\tsize:4;\tsigned:1;\n\tfield: int overwrite;\toffset:8;\tsize:1;\tsigned:1;\n\tfield: char data;\toffset:12;\tsize:8180;\tsigned:0;\n',
  );
  assert.deepEqual([l.commitSize, l.dataOffset, l.dataSize], [4, 12, 8180]);
});

test('bad header_page text gives E_FORMAT_HEADER', () => {
  for (const text of ['garbage', '\tfield: u64 timestamp;\toffset:0;\tsize:8;\tsigned:0;\n']) {
    assert.throws(
      () => parseHeaderPage(text),
      (e) => e instanceof ProbekitError && e.code === 'E_FORMAT_HEADER',
    );
  }
});

test('header_event of the capture kernel', () => {
  assert.deepEqual(parseHeaderEvent(fixtureText('header_event')), DEFAULT_EVENT_HEADER);
  assert.throws(
    () => parseHeaderEvent('type_len : 5 bits\n'),
    (e) =>
      e instanceof ProbekitError && e.code === 'E_FORMAT_HEADER' && /time_delta/.test(e.message),
  );
});
