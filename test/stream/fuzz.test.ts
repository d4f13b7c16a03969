/**
 * Seeded fuzzing of every decoder: mutated pages, text lines and format files.
 * No exception may escape (format files may only raise ProbekitError) and every
 * call must return. Set PROBEKIT_FUZZ_SEED to replay a run; the seed is printed.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProbekitError } from '../../src/errors.js';
import { parseFormat } from '../../src/stream/format.js';
import { decodePage } from '../../src/stream/page.js';
import { RawDecoder } from '../../src/stream/raw-reader.js';
import { FormatRegistry } from '../../src/stream/registry.js';
import { decodeTextLine, TraceTextDecoder } from '../../src/stream/text.js';
import type { StreamItem } from '../../src/stream/types.js';
import { fixtureFormats, loadFixtures } from './fixtures.js';
import { buildPage, fullSmallPage, LAYOUT64, SMALL_FORMAT, smallRecord } from './page-builder.js';

const SEED = Number(process.env['PROBEKIT_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
const ROUNDS = 5000;

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const fx = loadFixtures();
const formats = new FormatRegistry();
for (const [k, text] of Object.entries(fixtureFormats())) formats.addText(text, k.split('/')[0]);
formats.addText(SMALL_FORMAT, 'probe');

function checkItems(items: StreamItem[], bytes: number): void {
  assert.ok(Array.isArray(items));
  assert.ok(items.length <= bytes / 4 + 2, `${items.length} items from ${bytes} bytes`);
  for (const i of items)
    assert.ok(i.type === 'event' || i.type === 'lost' || i.type === 'decode-error');
}

const SPECIAL_WORDS = [
  0,
  0xffffffff,
  29,
  30,
  31,
  0x1d,
  (1 << 5) | 29,
  0x80000000,
  0x40000000,
  0xc0000ff0,
  4080,
  4096,
  2326,
];

test(`fuzz: ${ROUNDS} mutated pages (seed ${SEED})`, { timeout: 120_000 }, (t) => {
  t.diagnostic(`seed ${SEED}`);
  console.log(`fuzz seed ${SEED} (replay with PROBEKIT_FUZZ_SEED=${SEED})`);
  const r = rng(SEED);
  const int = (n: number) => Math.floor(r() * n);
  const bases: Uint8Array[] = [
    ...fx.pages,
    fullSmallPage(1000n, 0).page,
    buildPage(
      [
        { kind: 'data', delta: 1, payload: smallRecord(1, 1n, 1n) },
        { kind: 'extend', delta: 1 << 30 },
        { kind: 'abs', ts: 123n },
        { kind: 'discard', delta: 3, length: 12 },
        { kind: 'data', delta: 1, payload: smallRecord(1, 1n, 1n), long: true },
      ],
      { timestamp: 5n, lostCount: 3 },
    ),
  ];
  let errors = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const base = bases[int(bases.length)]!;
    const page = base.slice();
    const v = new DataView(page.buffer);
    const mutations = 1 + int(8);
    for (let m = 0; m < mutations; m++) {
      const kind = int(5);
      if (kind === 0) page[int(page.length)] = int(256);
      else if (kind === 1)
        v.setUint32(int(page.length - 3) & ~3, SPECIAL_WORDS[int(SPECIAL_WORDS.length)]!, true);
      else if (kind === 2)
        v.setUint32(8, (int(2 ** 32) >>> 0) & (r() < 0.5 ? 0xffff : 0xffffffff), true);
      else if (kind === 3) v.setUint32(16 + 4 * int(100), int(2 ** 32) >>> 0, true);
      else {
        const at = 16 + int(200);
        page[at] = page[at]! ^ (1 << int(8));
      }
    }
    const cut = r() < 0.1 ? page.subarray(0, int(page.length)) : page;
    const items = decodePage(cut, { layout: LAYOUT64, formats, cpu: 0 });
    checkItems(items, cut.length);
    errors += items.filter((i) => i.type === 'decode-error').length;
  }
  // Whole streams of mutated pages through the stateful decoder, in odd chunks.
  const dec = new RawDecoder({ layout: LAYOUT64, formats });
  for (let i = 0; i < 200; i++) {
    const p = bases[int(bases.length)]!.slice();
    p[int(p.length)] = int(256);
    for (let at = 0; at < p.length; ) {
      const n = 1 + int(3000);
      checkItems(dec.push(int(2), p.subarray(at, at + n)), p.length);
      at += n;
    }
  }
  checkItems(dec.flush(), 2 * 4096);
  assert.ok(errors > 0, 'mutations did produce decode errors');
});

const ALPHABET = [
  '"',
  "'",
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '=',
  ' ',
  '-',
  ':',
  ',',
  '\\',
  '0',
  '9',
  'x',
  'é',
  '\t',
  '#',
  '<',
  '>',
  '.',
  ')',
];
const SYNTHETIC_LINES = [
  'CPU:1 [LOST 123 EVENTS]',
  '  bash-12 [001] d..2. 2.5: sched_switch: prev_comm=bash prev_pid=12 prev_state=S ==> next_comm=x next_pid=0',
  '  cat-1 [000] d.... 1.000000: myretprobe: (sys_openat+0xc/0xe <- do_sys_open) $retval=fffffffffffffffe',
  '  t-1 (-------) [000] ..... 1.000000: sys_getpid()',
];

function mutateText(s: string, r: () => number): string {
  const int = (n: number) => Math.floor(r() * n);
  let out = s;
  const n = 1 + int(6);
  for (let i = 0; i < n; i++) {
    const at = int(out.length + 1);
    const kind = int(5);
    if (kind === 0) out = out.slice(0, at) + ALPHABET[int(ALPHABET.length)] + out.slice(at);
    else if (kind === 1) out = out.slice(0, at) + out.slice(at + 1 + int(4));
    else if (kind === 2) out = out.slice(0, at);
    else if (kind === 3) out = out.slice(0, at) + out.slice(int(out.length)) + out.slice(at);
    else out = out.slice(0, at) + ALPHABET[int(ALPHABET.length)] + out.slice(at + 1);
  }
  return out;
}

test(`fuzz: ${ROUNDS} mutated text lines (seed ${SEED})`, { timeout: 120_000 }, () => {
  const r = rng(SEED ^ 0x5bd1e995);
  const lines = [
    ...fx.traceTgid.split('\n'),
    ...fx.traceNoIrq.split('\n'),
    ...SYNTHETIC_LINES,
  ].filter((l) => l && !l.startsWith('#'));
  let events = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const line = mutateText(lines[Math.floor(r() * lines.length)]!, r);
    const withFormats = r() < 0.8;
    const it = decodeTextLine(line, withFormats ? { formats } : {});
    assert.ok(
      it === null || it.type === 'event' || it.type === 'lost' || it.type === 'decode-error',
      line,
    );
    if (it?.type === 'event') events++;
  }
  assert.ok(events > 0);
  const d = new TraceTextDecoder({ formats });
  const blob = mutateText(fx.traceTgid, r).repeat(3);
  for (let at = 0; at < blob.length; at += 1 + Math.floor(r() * 500))
    d.push(blob.slice(at, at + 500));
  d.end();
});

test(`fuzz: ${ROUNDS} mutated format files (seed ${SEED})`, { timeout: 120_000 }, () => {
  const r = rng(SEED ^ 0x1234567);
  const texts = [...Object.values(fixtureFormats()), SMALL_FORMAT];
  let parsed = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const text = mutateText(texts[Math.floor(r() * texts.length)]!, r);
    let f: ReturnType<typeof parseFormat> | null = null;
    try {
      f = parseFormat(text, 'probe');
    } catch (e) {
      assert.ok(e instanceof ProbekitError, `only ProbekitError may escape: ${String(e)}`);
      assert.match(e.code, /^E_FORMAT_/);
      continue;
    }
    parsed++;
    // A format that parses must decode real pages without throwing, even when it is wrong for them.
    const reg = new FormatRegistry([f]);
    for (const [cpu, p] of fx.pages.entries())
      checkItems(decodePage(p, { layout: fx.layout, formats: reg, cpu }), p.length);
    decodeTextLine(`  t-1 [000] ..... 1.000000: ${f.name}: (0x1) a=1 s="x"`, { formats: reg });
  }
  assert.ok(parsed > 0);
});
