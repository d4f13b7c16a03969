import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parseBtf } from '../../src/btf/index.js';
import { exercise, fuzzSeed, mutate, rng } from './helpers/exercise.js';
import { buildFixture } from './helpers/fixture.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';

test('fuzz: 3,000 seeded mutations of the fixture give only ProbekitErrors', {
  timeout: 120_000,
}, (t) => {
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (rerun with PROBEKIT_FUZZ_SEED=${seed})`);
  console.log(`btf fixture fuzz seed: ${seed}`);
  const rand = rng(seed);
  const { built } = buildFixture();
  const region: [number, number] = [built.typeStart, built.typeStart + built.typeLen];
  // The unmutated fixture walks cleanly: the exercise itself is sound.
  const clean = exercise(built.bytes);
  assert.deepEqual([clean.parsed, clean.errors], [true, 0]);
  assert.ok(clean.lookups > 0, 'the exercise also tries bad lookups');
  let parsed = 0;
  let errors = 0;
  const t0 = performance.now();
  for (let i = 0; i < 3000; i++) {
    const bytes = mutate(built.bytes, rand, region);
    try {
      const r = exercise(bytes);
      if (r.parsed) parsed++;
      errors += r.errors;
    } catch (e) {
      assert.fail(`seed ${seed}, mutation ${i}: ${(e as Error).message}`);
    }
  }
  const ms = performance.now() - t0;
  t.diagnostic(`${parsed} of 3000 mutations parsed; ${errors} ProbekitErrors; ${ms.toFixed(0)} ms`);
  // Both outcomes occur, so the mutations reach past the header.
  assert.ok(parsed > 100, `some mutations parse (${parsed})`);
  assert.ok(errors > 100, `some mutations are refused (${errors})`);
});

test('fuzz: 50 cuts and flips of the real vmlinux BTF', { timeout: 300_000 }, (t) => {
  let original: Uint8Array;
  try {
    original = readFileSync(VMLINUX);
  } catch {
    t.skip(`needs ${VMLINUX} (kernel with CONFIG_DEBUG_INFO_BTF)`);
    return;
  }
  const seed = fuzzSeed();
  t.diagnostic(`seed ${seed} (rerun with PROBEKIT_FUZZ_SEED=${seed})`);
  console.log(`btf vmlinux fuzz seed: ${seed}`);
  const rand = rng(seed);
  const clean = parseBtf(original);
  const region: [number, number] = [
    clean.header.typeStart,
    clean.header.typeStart + clean.header.typeLen,
  ];
  const sample = (count: number) => (b: { firstId: number; nextId: number }) => {
    const out: number[] = [];
    for (let i = 0; i < count; i++)
      out.push(b.firstId + Math.floor(rand() * (b.nextId - b.firstId)));
    return out;
  };
  assert.equal(
    exercise(original, sample(1500)).errors,
    0,
    'the clean file walks without corrupt-data errors',
  );
  let parsed = 0;
  const t0 = performance.now();
  for (let i = 0; i < 50; i++) {
    const bytes = mutate(original, rand, region);
    try {
      const r = exercise(bytes, sample(1500));
      if (r.parsed) parsed++;
    } catch (e) {
      assert.fail(`seed ${seed}, mutation ${i}: ${(e as Error).message}`);
    }
  }
  t.diagnostic(`${parsed} of 50 parsed; ${(performance.now() - t0).toFixed(0)} ms`);
});
