import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertConformance, decodeBoth } from './conformance.js';
import { loadFixtures } from './fixtures.js';

const fx = loadFixtures();
const base = {
  layout: fx.layout,
  formats: fx.formats,
  pages: fx.pages,
  savedCmdlines: fx.savedCmdlines,
  savedTgids: fx.savedTgids,
};

test('text and binary decoding of the same captured events agree (record-tgid on)', () => {
  const n = assertConformance({ ...base, text: fx.traceTgid, withTgid: true });
  assert.ok(n >= 40, `compared ${n} events`);
});

test('... with record-tgid off, and with irq-info off', () => {
  assert.ok(assertConformance({ ...base, text: fx.trace, withTgid: false }) >= 40);
  assert.ok(assertConformance({ ...base, text: fx.traceNoIrq, withTgid: false }) >= 40);
});

test('the check itself notices a difference', () => {
  const changed = fx.traceTgid.replace('s="hello"', 's="hellO"');
  assert.throws(() => assertConformance({ ...base, text: changed, withTgid: true }), /field s/);
  const { binary } = decodeBoth({ ...base, text: fx.trace, withTgid: false });
  assert.ok(binary.length > 0);
});
