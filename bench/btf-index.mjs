#!/usr/bin/env node
// Time to read and index the running kernel's BTF in a fresh process: read
// /sys/kernel/btf/vmlinux, parseBtf (header, type offsets), then the first
// function lookup (builds the name index). Prints one JSON line, in ms.
// Usage: node bench/btf-index.mjs            (after `npx tsc -p .`)
import { readFileSync } from 'node:fs';
import { parseBtf } from '../dist/src/btf/index.js';

const ms = (t0) => Number(process.hrtime.bigint() - t0) / 1e6;
const path = process.argv[2] ?? '/sys/kernel/btf/vmlinux';
let t = process.hrtime.bigint();
const bytes = readFileSync(path);
const readMs = ms(t);
t = process.hrtime.bigint();
const btf = parseBtf(bytes, { name: 'vmlinux' });
const parseMs = ms(t);
t = process.hrtime.bigint();
const id = btf.findFunction('do_sys_open') ?? btf.findFunction('do_sys_openat2');
const lookupMs = ms(t);
t = process.hrtime.bigint();
const proto = btf.renderPrototype('do_sys_openat2');
const prototypeMs = ms(t);
console.log(
  JSON.stringify({
    bytes: bytes.length,
    readMs,
    parseMs,
    lookupMs,
    prototypeMs,
    found: id !== undefined,
    proto,
  }),
);
