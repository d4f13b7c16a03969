#!/usr/bin/env node
// Offline decode throughput of trace_pipe_raw pages: small probe events (24-byte
// records, 145 per 4 KiB page) decoded on one core. Needs a build (npx tsc -p .).
// Usage: node bench/decode.mjs [pages] [rounds]
import { readdirSync, readFileSync } from 'node:fs';
import { parseHeaderPage } from '../dist/src/stream/header.js';
import { decodePage } from '../dist/src/stream/page.js';
import { FormatRegistry } from '../dist/src/stream/registry.js';
import { fullSmallPage, LAYOUT64, SMALL_FORMAT } from '../dist/test/stream/page-builder.js';

const nPages = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 5);
const formats = new FormatRegistry();
formats.addText(SMALL_FORMAT, 'probe');
const pages = [];
let perPage = 0;
for (let i = 0; i < nPages; i++) {
  const { page, count } = fullSmallPage(1_000_000_000n + BigInt(i) * 1_000_000n, i * 200);
  pages.push(page);
  perPage = count;
}
const ctx = { layout: LAYOUT64, formats, cpu: 0 };
let best = 0;
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  let events = 0;
  for (const p of pages) {
    const out = decodePage(p, ctx);
    events += out.length;
  }
  const secs = Number(process.hrtime.bigint() - t0) / 1e9;
  const rate = events / secs;
  best = Math.max(best, rate);
  console.log(
    `round ${r + 1}: ${events} events in ${(secs * 1000).toFixed(1)} ms = ${(rate / 1e6).toFixed(2)} M events/s`,
  );
}
console.log(
  `best: ${(best / 1e6).toFixed(2)} M events/s (${perPage} events per page, node ${process.version})`,
);

// The captured pages (uprobe records with strings and arrays, tracepoints), decoded over and over.
const dir = new URL('../testdata/stream/', import.meta.url);
const real = new FormatRegistry();
for (const f of readdirSync(dir)) {
  const m = /^format\.([^.]+)\./.exec(f);
  if (m) real.addText(readFileSync(new URL(f, dir), 'utf8'), m[1]);
}
const layout = parseHeaderPage(readFileSync(new URL('header_page', dir), 'utf8'));
const realPages = readdirSync(dir)
  .filter((f) => /^cpu\d+\.raw$/.test(f))
  .map((f) => new Uint8Array(readFileSync(new URL(f, dir))));
let realBest = 0;
for (let r = 0; r < rounds; r++) {
  const t0 = process.hrtime.bigint();
  let events = 0;
  for (let i = 0; i < 2000; i++) {
    for (const [cpu, p] of realPages.entries())
      events += decodePage(p, { layout, formats: real, cpu }).length;
  }
  realBest = Math.max(realBest, events / (Number(process.hrtime.bigint() - t0) / 1e9));
}
console.log(`captured pages (strings, arrays): best ${(realBest / 1e6).toFixed(2)} M events/s`);
