/**
 * Captures real stream fixtures on the running kernel: builds a tiny C program,
 * puts uprobes on it in a group of our own, enables them and a few tracepoints in
 * an instance of our own, runs the program, then reads the instance's `trace`
 * text (non-consuming) and its per-CPU `trace_pipe_raw` pages. Everything created
 * is removed in a finally. Used by the live test and, as a script, to refresh
 * testdata/stream (`node dist/test/stream/capture.js testdata/stream`).
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  constants,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TRACEFS = '/sys/kernel/tracing';

export interface Capture {
  readonly kernel: string;
  readonly group: string;
  readonly command: string;
  readonly probes: readonly string[];
  readonly headerPage: string;
  readonly headerEvent: string;
  /** format files by `group/event` (group part is the generic word `probe` for our probes). */
  readonly formats: Readonly<Record<string, string>>;
  /** `trace` text with record-tgid on, then off, then with noirq-info. */
  readonly traceTgid: string;
  readonly trace: string;
  readonly traceNoIrq: string;
  /** raw pages per CPU, concatenated. */
  readonly raw: readonly Buffer[];
  readonly subbufSize: number;
  /** per_cpu/cpuN/stats text, read after the run. */
  readonly stats: readonly string[];
  /** saved_cmdlines / saved_tgids lines of the traced program's pid. */
  readonly savedCmdlines: string;
  readonly savedTgids: string;
}

/** Why a live capture cannot run here, or null when it can. */
export function liveCaptureUnavailable(): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  if (!existsSync(join(TRACEFS, 'uprobe_events')))
    return `needs tracefs with uprobe_events at ${TRACEFS}`;
  if (!existsSync(join(TRACEFS, 'events/syscalls/sys_enter_openat')))
    return 'needs syscall tracepoints';
  if (spawnSync('gcc', ['--version']).status !== 0) return 'needs gcc';
  return null;
}

const SOURCE = fileURLToPath(new URL('../../../test/stream/fixture-program.c', import.meta.url));

function symbolFileOffset(bin: string, sym: string): number {
  const nm = spawnSync('nm', [bin], { encoding: 'utf8' }).stdout;
  const m = new RegExp(`^([0-9a-f]+) T ${sym}$`, 'm').exec(nm);
  if (!m?.[1]) throw new Error(`symbol ${sym} not found in ${bin}`);
  const vaddr = Number.parseInt(m[1], 16);
  const ph = spawnSync('readelf', ['-lW', bin], { encoding: 'utf8' }).stdout;
  for (const line of ph.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (f[0] !== 'LOAD' || !f[1] || !f[2] || !f[4]) continue;
    const off = Number.parseInt(f[1], 16);
    const va = Number.parseInt(f[2], 16);
    const memsz = Number.parseInt(f[5] ?? '0', 16);
    if (vaddr >= va && vaddr < va + memsz) return vaddr - va + off;
  }
  throw new Error(`no LOAD segment holds ${sym}`);
}

function append(file: string, text: string): void {
  const fd = openSync(join(TRACEFS, file), 'a');
  try {
    writeFileSync(fd, `${text}\n`);
  } finally {
    closeSync(fd);
  }
}

function write(path: string, text: string): void {
  writeFileSync(path, text);
}

function readRaw(path: string, subbuf: number): Buffer {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const chunks: Buffer[] = [];
  try {
    for (let i = 0; i < 100000; i++) {
      const b = Buffer.alloc(subbuf);
      let n: number;
      try {
        n = readSync(fd, b, 0, subbuf, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        throw e;
      }
      if (n <= 0) break;
      chunks.push(b.subarray(0, n));
    }
  } finally {
    closeSync(fd);
  }
  return Buffer.concat(chunks);
}

export interface CaptureOptions {
  /** Overflow mode: the program makes this many rec(0) calls on CPU 0 into a tiny buffer. */
  readonly overflowCalls?: number;
  /** The instance's buffer_size_kb (per CPU) for overflow mode. */
  readonly bufferKb?: number;
}

export async function capture(options: CaptureOptions = {}): Promise<Capture> {
  const dir = mkdtempSync(join(tmpdir(), 'probekit-fixture-'));
  const group = `probekit_fixture_${process.pid}`;
  const inst = join(TRACEFS, 'instances', group);
  const bin = join(dir, 't');
  const tracepoints = [
    'syscalls/sys_enter_openat',
    'syscalls/sys_exit_openat',
    'sched/sched_process_exec',
  ];
  let defined = false;
  let made = false;
  try {
    const cc = spawnSync('gcc', ['-O1', '-o', bin, SOURCE], { encoding: 'utf8' });
    if (cc.status !== 0) throw new Error(`gcc failed: ${cc.stderr}`);
    const tOff = symbolFileOffset(bin, 'target').toString(16);
    const rOff = symbolFileOffset(bin, 'rec').toString(16);
    const probes = [
      `p:${group}/tentry ${bin}:0x${tOff} a=%di:s64 ax=%di:x32 au=%di:u8 s=+0(%si):string arr=+0(%dx):s32[3] xarr=+0(%dx):x16[2] bf=+4(%cx):b4@2/32 big=+8(%cx):u64 c=%r8:char istr=+0(%r8):string sa=+0(%r9):string[2]`,
      `r:${group}/tret ${bin}:0x${tOff} ret=$retval:s64`,
      `p:${group}/rentry ${bin}:0x${rOff} n=%di:s32`,
      `r:${group}/rret ${bin}:0x${rOff} r=$retval:s32`,
    ];
    defined = true;
    for (const p of probes) append('uprobe_events', p);
    spawnSync('mkdir', [inst]);
    made = existsSync(inst);
    if (!made) throw new Error(`could not create ${inst}`);
    const subbufSize =
      Number(readFileSync(join(inst, 'buffer_subbuf_size_kb'), 'utf8').trim()) * 1024;
    write(join(inst, 'options/record-tgid'), '1');
    write(join(inst, 'options/event-fork'), '1');
    if (options.bufferKb !== undefined)
      write(join(inst, 'buffer_size_kb'), String(options.bufferKb));
    const args = options.overflowCalls === undefined ? '' : ` ${options.overflowCalls}`;
    const child = spawn('/bin/sh', ['-c', `read x; exec ${bin}${args}`], {
      stdio: ['pipe', 'ignore', 'ignore'],
    });
    write(join(inst, 'set_event_pid'), String(child.pid));
    write(join(inst, `events/${group}/enable`), '1');
    for (const tp of tracepoints) write(join(inst, `events/${tp}/enable`), '1');
    const done = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    child.stdin.end('go\n');
    await done;
    write(join(inst, 'tracing_on'), '0');
    const mine = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith(`${child.pid} `))
        .map((l) => `${l}\n`)
        .join('');
    const savedCmdlines = mine(readFileSync(join(TRACEFS, 'saved_cmdlines'), 'utf8'));
    const savedTgids = mine(readFileSync(join(TRACEFS, 'saved_tgids'), 'utf8'));
    const traceTgid = readFileSync(join(inst, 'trace'), 'utf8');
    write(join(inst, 'options/record-tgid'), '0');
    const trace = readFileSync(join(inst, 'trace'), 'utf8');
    write(join(inst, 'options/irq-info'), '0');
    const traceNoIrq = readFileSync(join(inst, 'trace'), 'utf8');
    const ncpu =
      Number(readFileSync('/sys/devices/system/cpu/online', 'utf8').trim().split('-').pop()) + 1;
    const stats: string[] = [];
    for (let cpu = 0; cpu < ncpu; cpu++)
      stats.push(readFileSync(join(inst, `per_cpu/cpu${cpu}/stats`), 'utf8'));
    const raw: Buffer[] = [];
    for (let cpu = 0; cpu < ncpu; cpu++)
      raw.push(readRaw(join(inst, `per_cpu/cpu${cpu}/trace_pipe_raw`), subbufSize));
    const formats: Record<string, string> = {};
    for (const ev of ['tentry', 'tret', 'rentry', 'rret'])
      formats[`probe/${ev}`] = readFileSync(join(TRACEFS, `events/${group}/${ev}/format`), 'utf8');
    for (const tp of tracepoints)
      formats[tp] = readFileSync(join(TRACEFS, `events/${tp}/format`), 'utf8');
    return {
      kernel: readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim(),
      group,
      command: `${bin} (test/stream/fixture-program.c, gcc -O1)`,
      probes,
      headerPage: readFileSync(join(TRACEFS, 'events/header_page'), 'utf8'),
      headerEvent: readFileSync(join(TRACEFS, 'events/header_event'), 'utf8'),
      formats,
      traceTgid,
      trace,
      traceNoIrq,
      raw,
      stats,
      subbufSize,
      savedCmdlines,
      savedTgids,
    };
  } finally {
    if (made) {
      try {
        write(join(inst, `events/${group}/enable`), '0');
        for (const tp of tracepoints) write(join(inst, `events/${tp}/enable`), '0');
      } catch {}
      spawnSync('rmdir', [inst]);
    }
    if (defined) {
      try {
        append('uprobe_events', `-:${group}/`);
      } catch {}
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Names left behind in tracefs by this process (must be empty after capture). */
export function leftovers(group: string): string[] {
  const out: string[] = [];
  for (const f of ['uprobe_events', 'dynamic_events']) {
    if (readFileSync(join(TRACEFS, f), 'utf8').includes(group)) out.push(f);
  }
  if (existsSync(join(TRACEFS, 'instances', group))) out.push(`instances/${group}`);
  return out;
}

async function main(outDir: string): Promise<void> {
  const c = await capture();
  const left = leftovers(c.group);
  if (left.length) throw new Error(`left behind: ${left.join(', ')}`);
  const g = c.group;
  const scrub = (s: string) => s.split(g).join('probe');
  write(join(outDir, 'header_page'), c.headerPage);
  write(join(outDir, 'header_event'), c.headerEvent);
  for (const [k, v] of Object.entries(c.formats))
    write(join(outDir, `format.${k.replace('/', '.')}`), scrub(v));
  write(join(outDir, 'trace-tgid.txt'), scrub(c.traceTgid));
  write(join(outDir, 'trace.txt'), scrub(c.trace));
  write(join(outDir, 'trace-noirq.txt'), scrub(c.traceNoIrq));
  write(join(outDir, 'saved_cmdlines'), c.savedCmdlines);
  write(join(outDir, 'saved_tgids'), c.savedTgids);
  for (const [cpu, b] of c.raw.entries()) writeFileSync(join(outDir, `cpu${cpu}.raw`), b);
  write(
    join(outDir, 'capture.json'),
    `${JSON.stringify({ kernel: c.kernel, group: g, command: c.command, probes: c.probes.map(scrub), subbufSize: c.subbufSize }, null, 2)}\n`,
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = process.argv[2];
  if (!out) {
    console.error('usage: node dist/test/stream/capture.js <outdir>');
    process.exit(2);
  }
  await main(out);
}
