/** Shared helpers for live BPF tests: skip reasons, C programs, leak checks. */
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { hasFeature } from '../../../src/bpf/features.js';

/** Why live BPF tests cannot run here, or undefined when they can. */
export function liveSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux';
  if (process.getuid?.() !== 0) return 'needs root (or CAP_BPF and CAP_PERFMON)';
  if (!hasFeature('bpf_syscall')) return 'needs the bpf() syscall (CONFIG_BPF_SYSCALL)';
  return undefined;
}

export function gccSkipReason(): string | undefined {
  return spawnSync('gcc', ['--version']).status === 0 ? undefined : 'needs gcc';
}

let dir: string | undefined;
function workDir(): string {
  if (dir === undefined) {
    const made = mkdtempSync(join(tmpdir(), 'probekit-bpf-test-'));
    process.on('exit', () => rmSync(made, { recursive: true, force: true }));
    dir = made;
  }
  return dir;
}

/** Compile a C program (cached per process); returns its path. */
export function buildC(name: string, source: string, flags: string[] = ['-O2']): string {
  const exe = join(workDir(), name);
  if (existsSync(exe)) return exe;
  const src = `${exe}.c`;
  writeFileSync(src, source);
  execFileSync('gcc', [...flags, '-o', exe, src]);
  return exe;
}

/** Runs N getppid() syscalls after reading one byte on stdin (so the probe is attached first). */
export const GETPPID_C = `
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  char c;
  if (read(0, &c, 1) != 1) return 2;
  for (long i = 0; i < n; i++) syscall(SYS_getppid);
  return 0;
}
`;

/**
 * Runs getppid() calls on command: for each byte read on stdin, 'g' runs a
 * batch, '1' runs one call; one byte is written back after each. argv[2],
 * when given, pins the process to that CPU.
 */
export const GETPPID_BATCH_C = `
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/syscall.h>
int main(int argc, char **argv) {
  long batch = argc > 1 ? atol(argv[1]) : 1000;
  if (argc > 2) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(atoi(argv[2]), &set);
    if (sched_setaffinity(0, sizeof set, &set) != 0) return 3;
  }
  char c;
  while (read(0, &c, 1) == 1) {
    long n = c == '1' ? 1 : batch;
    for (long i = 0; i < n; i++) syscall(SYS_getppid);
    if (write(1, &c, 1) != 1) return 2;
  }
  return 0;
}
`;

/** Calls work(i) for i in [0, N) after reading one byte on stdin. */
export const UPROBE_C = `
#include <stdlib.h>
#include <unistd.h>
volatile long sink;
__attribute__((noinline)) long work(long x) { sink += x; __asm__ volatile("" ::: "memory"); return x * 2; }
int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000;
  char c;
  if (read(0, &c, 1) != 1) return 2;
  for (long i = 0; i < n; i++) work(i);
  return 0;
}
`;

/** File offset of a symbol in an ELF executable (symbol value mapped through the LOAD segments). */
export function symbolFileOffset(exe: string, symbol: string): bigint {
  const nm = execFileSync('nm', [exe]).toString();
  const m = new RegExp(`^([0-9a-f]+) [Tt] ${symbol}$`, 'm').exec(nm);
  if (!m?.[1]) throw new Error(`no symbol ${symbol} in ${exe}`);
  const vaddr = BigInt(`0x${m[1]}`);
  const ph = execFileSync('readelf', ['-lW', exe]).toString();
  for (const line of ph.split('\n')) {
    const p =
      /^\s*LOAD\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)\s+0x[0-9a-f]+\s+0x([0-9a-f]+)\s+0x([0-9a-f]+)/.exec(
        line,
      );
    if (!p) continue;
    const [off, va, , memsz] = [p[1], p[2], p[3], p[4]].map((x) => BigInt(`0x${x}`)) as [
      bigint,
      bigint,
      bigint,
      bigint,
    ];
    if (vaddr >= va && vaddr < va + memsz) return vaddr - va + off;
  }
  throw new Error(`symbol ${symbol} is not in a LOAD segment of ${exe}`);
}

/** This process's open fds, with what they point at. */
export function openFds(): Map<number, string> {
  const out = new Map<number, string>();
  for (const name of readdirSync('/proc/self/fd')) {
    try {
      out.set(Number(name), readlinkSync(`/proc/self/fd/${name}`));
    } catch {
      // The fd of the directory listing itself is gone by now.
    }
  }
  return out;
}

/** fds opened since `before` (bpf, perf and anon inodes only; node's own pipes and files excluded). */
export function leakedFds(before: Map<number, string>): string[] {
  const leaked: string[] = [];
  for (const [fd, target] of openFds()) {
    if (before.get(fd) === target) continue;
    if (/^anon_inode:(bpf|\[perf_event\]|\[eventpoll\])|^anon_inode:bpf/.test(target))
      leaked.push(`${fd} → ${target}`);
  }
  return leaked;
}

/** BPF object ids a process holds, from /proc/PID/fdinfo (prog_id, map_id, link_id). */
export function heldBpfIds(pid: number | 'self' = 'self'): string[] {
  const out: string[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fdinfo`)) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    } catch {
      continue;
    }
    for (const m of text.matchAll(/^(prog_id|map_id|link_id):\s*(\d+)/gm))
      out.push(`${m[1]}=${m[2]}`);
  }
  return out;
}

/** Ids of the BPF objects a process (this one by default) holds now, by kind, each once. */
export function heldIds(pid: number | 'self' = 'self'): {
  progs: number[];
  maps: number[];
  links: number[];
} {
  const out = { progs: [] as number[], maps: [] as number[], links: [] as number[] };
  for (const s of new Set(heldBpfIds(pid))) {
    const [k, v] = s.split('=') as [string, string];
    (k === 'prog_id' ? out.progs : k === 'map_id' ? out.maps : out.links).push(Number(v));
  }
  return out;
}

/**
 * For a test file: once all its tests have run (unless skipped), no bpf or perf
 * fd opened since the start is left, and the process holds no BPF object.
 */
export function checkNoLeaksAtEnd(
  skip: string | undefined,
  fdMessage = 'no bpf or perf fd left open',
): void {
  let fdsBefore: Map<number, string>;
  before(() => {
    fdsBefore = openFds();
  });
  after(() => {
    if (skip) return;
    assert.deepEqual(leakedFds(fdsBefore), [], fdMessage);
    assert.deepEqual(heldBpfIds(), [], 'no BPF object held by this process');
  });
}

/** Starts a program that waits for one byte on stdin (go) before its work; done is its exit code. */
export function startGated(exe: string, args: readonly (string | number)[]) {
  const child = spawn(exe, args.map(String), { stdio: ['pipe', 'ignore', 'inherit'] });
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { pid: child.pid as number, go: () => child.stdin.end('g'), done };
}

export interface KernelObjects {
  progs: { id: number; name: string }[];
  maps: { id: number; name: string }[];
  links: { id: number; prog_id: number }[];
}

export function bpftoolSkipReason(): string | undefined {
  return spawnSync('bpftool', ['version']).status === 0
    ? undefined
    : 'needs bpftool (apt-get install -y bpftool)';
}

/** `bpftool -j prog/map/link list`, parsed. */
export function kernelObjects(): KernelObjects {
  const j = (what: string) =>
    JSON.parse(execFileSync('bpftool', ['-j', what, 'list']).toString() || '[]');
  return { progs: j('prog'), maps: j('map'), links: j('link') };
}

/** Which of the given ids bpftool still lists. */
export function stillListed(ids: {
  progs?: number[];
  maps?: number[];
  links?: number[];
}): string[] {
  const k = kernelObjects();
  const left: string[] = [];
  for (const id of ids.progs ?? []) if (k.progs.some((p) => p.id === id)) left.push(`prog ${id}`);
  for (const id of ids.maps ?? []) if (k.maps.some((m) => m.id === id)) left.push(`map ${id}`);
  for (const id of ids.links ?? []) if (k.links.some((l) => l.id === id)) left.push(`link ${id}`);
  return left;
}

/** Wait until bpftool no longer lists the ids (the kernel frees some objects asynchronously). */
export async function waitGone(
  ids: Parameters<typeof stillListed>[0],
  ms = 3000,
): Promise<string[]> {
  const end = Date.now() + ms;
  let left = stillListed(ids);
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    left = stillListed(ids);
  }
  return left;
}

/** Every registered kprobe (debugfs `kprobes/list`: PMU and tracefs ones alike); null when unreadable. */
export function kprobeList(): string[] | null {
  try {
    return readFileSync('/sys/kernel/debug/kprobes/list', 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '');
  } catch {
    return null;
  }
}

/**
 * Registered kprobes on `symbol`; null when kprobes/list is unreadable. Matched
 * by address (the list names a function by whichever alias kallsyms finds
 * first: a probe on __x64_sys_getppid shows as __do_sys_getppid+0x4), and by
 * name when the addresses are hidden.
 */
export function kprobesOn(symbol: string): string[] | null {
  const list = kprobeList();
  if (list === null) return null;
  const m = new RegExp(`^([0-9a-f]+) [Tt] ${symbol}$`, 'm').exec(
    readFileSync('/proc/kallsyms', 'utf8'),
  );
  const start = m?.[1] ? BigInt(`0x${m[1]}`) : 0n;
  return list.filter((l) => {
    const addr = BigInt(`0x${/^([0-9a-f]+)/.exec(l)?.[1] ?? '0'}`);
    // The probe sits at most past an endbr64 and the fentry call.
    if (start !== 0n && addr !== 0n) return addr >= start && addr < start + 16n;
    return new RegExp(`\\s${symbol}\\+0x`).test(l);
  });
}

/** probekit's lines in tracefs kprobe_events (none unless a tracefs kprobe was left behind). */
export function probekitKprobeEvents(): string[] {
  for (const root of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    try {
      return readFileSync(join(root, 'kprobe_events'), 'utf8')
        .split('\n')
        .filter((l) => /probekit/.test(l));
    } catch {
      // Not this root, or no kprobes.
    }
  }
  return [];
}

/** Every probekit_ program and map bpftool lists, whoever holds it, and probekit pins in bpffs. */
export function probekitObjectsAnywhere(): string[] {
  const k = kernelObjects();
  const mine = (n: string | undefined) => (n ?? '').startsWith('probekit');
  const progIds = new Set(k.progs.filter((p) => mine(p.name)).map((p) => p.id));
  const pins = existsSync('/sys/fs/bpf')
    ? readdirSync('/sys/fs/bpf').filter((n) => n.startsWith('probekit'))
    : [];
  return [
    ...k.progs.filter((p) => progIds.has(p.id)).map((p) => `prog ${p.id} ${p.name}`),
    ...k.maps.filter((m) => mine(m.name)).map((m) => `map ${m.id} ${m.name}`),
    ...k.links.filter((l) => progIds.has(l.prog_id)).map((l) => `link ${l.id}`),
    ...pins.map((n) => `pin /sys/fs/bpf/${n}`),
  ];
}

/** Polls `check` until it returns an empty list or `ms` pass (some releases are asynchronous). */
export async function settle(check: () => string[], ms = 3000): Promise<string[]> {
  const end = Date.now() + ms;
  let left = check();
  while (left.length > 0 && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 50));
    left = check();
  }
  return left;
}
