/**
 * Load a program. The first attempt runs without a log (fast); a rejected
 * program is loaded again with the verifier log, growing the buffer on ENOSPC,
 * and the error keeps the whole log, shows its end and the instruction it
 * points at.
 */
import { constants } from 'node:os';
import { KernelError } from '../errors.js';
import { disasm, disasmInsn, insnAtSlot } from './insn/disasm.js';
import { encode } from './insn/encode.js';
import type { Insn } from './insn/types.js';
import { objectName } from './names.js';
import { objInfo } from './sys/bpf.js';
import { syscallError } from './sys/errno.js';
import { ProgInfo, ProgLoadAttr, pack, readField, readName } from './sys/layout.js';
import { BpfCmd, ProgType, type ProgTypeName } from './sys/numbers.js';
import { addressOf, sysBpf, sysClose } from './sys/syscall.js';

export interface ProgramSpec {
  readonly type: ProgTypeName;
  /** Name suffix; the kernel sees `probekit_<name>` cut to 15 characters. */
  readonly name: string;
  readonly insns: readonly Insn[];
  /** Tracing helpers need a GPL-compatible license. */
  readonly license?: string;
  readonly expectedAttachType?: number;
  /** A sleepable program (BPF_F_SLEEPABLE): may fault user pages in (uprobes, 5.19+). */
  readonly sleepable?: boolean;
}

export interface LoadOptions {
  /** Always load with the log at this level (1: errors and states, 2: every instruction). */
  readonly logLevel?: 0 | 1 | 2;
  /** Starting log buffer size in bytes. */
  readonly logSize?: number;
}

const MAX_LOG = 256 * 1024 * 1024;
const { EACCES, EINVAL, ENOSPC } = constants.errno;

/** The kernel refused the program; `log` is the verifier's whole output. */
export class VerifierError extends KernelError {
  readonly log: string;
  readonly slot: number | undefined;
  constructor(message: string, log: string, slot: number | undefined, errno: number, hint: string) {
    super('E_BPF_VERIFIER', message, { hint, details: { errno, slot, log } });
    this.name = 'VerifierError';
    this.log = log;
    this.slot = slot;
  }
}

/** The slot of the last `N: (op) …` line, which is where the verifier stopped. */
export function failingSlot(log: string): number | undefined {
  let slot: number | undefined;
  for (const m of log.matchAll(/^(\d+): \([0-9a-f]{2}\)/gm)) slot = Number(m[1]);
  return slot;
}

function tail(log: string, n: number): string[] {
  return log
    .split('\n')
    .filter((l) => l.trim() !== '')
    .slice(-n);
}

/** BPF_F_SLEEPABLE (include/uapi/linux/bpf.h). */
const PROG_F_SLEEPABLE = 1 << 4;

interface Attempt {
  /** fd, or -errno. */
  r: number;
  log: string;
  /** The log size the kernel needed (6.4+ reports it; 0 when unknown). */
  trueSize: number;
}

function attempt(spec: ProgramSpec, bytes: Uint8Array, logLevel: number, logSize: number): Attempt {
  const license = new TextEncoder().encode(`${spec.license ?? 'GPL'}\0`);
  const logBuf = new Uint8Array(logLevel > 0 ? logSize : 0);
  const attr = pack(ProgLoadAttr, {
    prog_type: ProgType[spec.type],
    insn_cnt: bytes.length / 8,
    insns: addressOf(bytes),
    license: addressOf(license),
    log_level: logLevel,
    log_size: logBuf.length,
    log_buf: logBuf.length > 0 ? addressOf(logBuf) : 0n,
    prog_name: objectName(spec.name),
    expected_attach_type: spec.expectedAttachType ?? 0,
    prog_flags: spec.sleepable ? PROG_F_SLEEPABLE : 0,
  });
  const r = sysBpf(BpfCmd.PROG_LOAD, attr);
  const end = logBuf.indexOf(0);
  const log = new TextDecoder().decode(end < 0 ? logBuf : logBuf.subarray(0, end));
  return { r, log, trueSize: Number(readField(ProgLoadAttr, attr, 'log_true_size')) };
}

/** A loaded program; close() releases its fd. */
export class Program {
  readonly fd: number;
  readonly name: string;
  readonly type: ProgTypeName;
  readonly insns: readonly Insn[];
  readonly verifierLog: string;
  #closed = false;

  constructor(fd: number, spec: ProgramSpec, log: string) {
    this.fd = fd;
    this.name = objectName(spec.name);
    this.type = spec.type;
    this.insns = spec.insns;
    this.verifierLog = log;
  }

  /** The kernel's id (as `bpftool prog list` shows it). */
  id(): number {
    return Number(readField(ProgInfo, objInfo(this.fd, ProgInfo.size), 'id'));
  }

  kernelName(): string {
    return readName(ProgInfo, objInfo(this.fd, ProgInfo.size), 'name');
  }

  /** Disassembly, for `--dump`. */
  dump(): string {
    return disasm(this.insns);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    sysClose(this.fd);
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

/** Verify and load; throws VerifierError with the log when the kernel refuses. */
export function loadProgram(spec: ProgramSpec, opts: LoadOptions = {}): Program {
  const bytes = encode(spec.insns);
  const level = opts.logLevel ?? 0;
  let size = opts.logSize ?? 64 * 1024;
  let a = attempt(spec, bytes, level, size);
  if (a.r >= 0) return new Program(a.r, spec, a.log);
  let errno = -a.r;
  if (errno !== EACCES && errno !== EINVAL && errno !== ENOSPC) {
    // Not a verifier refusal (EPERM, E2BIG, ENOMEM…).
    throw syscallError(`loading BPF program ${objectName(spec.name)}`, errno, {
      prog_type: spec.type,
      insn_cnt: bytes.length / 8,
    });
  }
  // Load again with the log, growing it until the verifier's output fits.
  for (;;) {
    a = attempt(spec, bytes, level > 0 ? level : 1, size);
    if (a.r >= 0) return new Program(a.r, spec, a.log);
    errno = -a.r;
    if (errno !== ENOSPC) break;
    if (size >= MAX_LOG) break;
    size = Math.min(MAX_LOG, a.trueSize > size ? a.trueSize : size * 4);
  }
  throw verifierError(spec, a.log, errno);
}

function verifierError(spec: ProgramSpec, log: string, errno: number): VerifierError {
  const slot = failingSlot(log);
  const insn = slot === undefined ? undefined : insnAtSlot(spec.insns, slot);
  const last = tail(log, 6);
  const reason = last[last.length - 1] ?? 'no verifier log';
  // The most specific line is usually just before "processed N insns".
  const cause =
    last.filter((l) => !/^processed \d+ insns|^verification time/.test(l)).pop() ?? reason;
  const lines = [`BPF verifier rejected program ${objectName(spec.name)}: ${cause}`];
  if (insn && slot !== undefined) lines.push(`  at instruction ${slot}: ${disasmInsn(insn)}`);
  lines.push('  verifier log (end):', ...last.map((l) => `    ${l}`));
  return new VerifierError(
    lines.join('\n'),
    log,
    slot,
    errno,
    'run with --dump to see the whole program; the full log is in error.log',
  );
}
