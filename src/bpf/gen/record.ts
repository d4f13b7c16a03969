/**
 * Send one record per event through a BPF ring buffer:
 *
 *   offset 0  u32 pid (thread id)     offset 4  u32 tgid
 *   offset 8  u64 timestamp (ktime_get_ns, CLOCK_MONOTONIC)
 *   offset 16 char comm[16]
 *   offset 32 u64 values[n]           (context scalars, zero-extended or sign-extended)
 *
 * A full buffer drops the record; the program counts drops in slot 0 of an
 * optional array map so the reader can report them.
 */
import { ProbekitError } from '../../errors.js';
import { comm as commCodec } from '../codec.js';
import {
  add64,
  atomic,
  call,
  jeq64,
  label,
  ldMapFd,
  mov32,
  mov64,
  rsh64,
  st,
} from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import type { CtxScalar } from './context.js';
import { processFilter } from './process.js';
import { loadScalar, returnZero } from './snippets.js';

export const RECORD_HEADER = 32;

export interface RecordProgramOptions {
  readonly ringbufFd: number;
  readonly values: readonly CtxScalar[];
  readonly tgid?: number;
  /** Array map (u32 → u64) whose slot 0 counts records dropped because the buffer was full. */
  readonly dropsFd?: number;
}

export function recordSize(nValues: number): number {
  return RECORD_HEADER + 8 * nValues;
}

export function recordProgram(o: RecordProgramOptions): Insn[] {
  const size = recordSize(o.values.length);
  const drops: Insn[] =
    o.dropsFd === undefined
      ? []
      : [
          st(4, 'r10', -8, 0),
          ldMapFd('r1', o.dropsFd),
          mov64('r2', 'r10'),
          add64('r2', -8),
          call('map_lookup_elem'),
          jeq64('r0', 0, 'out'),
          mov64('r1', 1),
          atomic('add', 8, 'r0', 0, 'r1'),
        ];
  return [
    mov64('r6', 'r1'),
    ...processFilter({ tgid: o.tgid }, 'out'),
    ldMapFd('r1', o.ringbufFd),
    mov64('r2', size),
    mov64('r3', 0),
    call('ringbuf_reserve'),
    jeq64('r0', 0, 'full'),
    mov64('r7', 'r0'),
    call('get_current_pid_tgid'),
    st(4, 'r7', 0, 'r0'),
    rsh64('r0', 32),
    st(4, 'r7', 4, 'r0'),
    call('ktime_get_ns'),
    st(8, 'r7', 8, 'r0'),
    mov64('r1', 'r7'),
    add64('r1', 16),
    mov64('r2', 16),
    call('get_current_comm'),
    ...o.values.flatMap((v, i) => [
      ...loadScalar('r1', 'r6', v),
      st(8, 'r7', RECORD_HEADER + 8 * i, 'r1'),
    ]),
    mov64('r1', 'r7'),
    mov64('r2', 0),
    call('ringbuf_submit'),
    { kind: 'jump', wide: true, op: 'ja', dst: 0, src: { imm: 0 }, target: 'out' },
    label('full'),
    ...drops,
    label('out'),
    ...returnZero(),
  ];
}

export interface BpfRecord {
  readonly pid: number;
  readonly tgid: number;
  readonly timestampNs: bigint;
  readonly comm: string;
  readonly values: readonly bigint[];
}

/** Decode one record written by recordProgram. */
export function decodeRecord(data: Uint8Array, nValues: number): BpfRecord {
  if (data.length < recordSize(nValues)) {
    throw new ProbekitError(
      'E_BPF_RECORD',
      `BPF record of ${data.length} bytes is shorter than the ${recordSize(nValues)} expected`,
    );
  }
  const dv = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const values: bigint[] = [];
  for (let i = 0; i < nValues; i++) values.push(dv.getBigUint64(RECORD_HEADER + 8 * i, true));
  return {
    pid: dv.getUint32(0, true),
    tgid: dv.getUint32(4, true),
    timestampNs: dv.getBigUint64(8, true),
    comm: commCodec.decode(data.subarray(16, 32)),
    values,
  };
}

/**
 * The same record sent with bpf_perf_event_output from the stack (records up to
 * 512 bytes: at most 60 values), for kernels without a ring buffer.
 */
export function perfRecordProgram(o: {
  readonly perfMapFd: number;
  readonly values: readonly CtxScalar[];
  readonly tgid?: number;
}): Insn[] {
  const size = recordSize(o.values.length);
  if (size > 512) {
    throw new ProbekitError(
      'E_BPF_RECORD',
      `a perf record of ${o.values.length} values does not fit on the BPF stack`,
    );
  }
  const base = -size;
  return [
    mov64('r6', 'r1'),
    ...processFilter({ tgid: o.tgid }, 'out'),
    call('get_current_pid_tgid'),
    st(4, 'r10', base, 'r0'),
    rsh64('r0', 32),
    st(4, 'r10', base + 4, 'r0'),
    call('ktime_get_ns'),
    st(8, 'r10', base + 8, 'r0'),
    mov64('r1', 'r10'),
    add64('r1', base + 16),
    mov64('r2', 16),
    call('get_current_comm'),
    ...o.values.flatMap((v, i) => [
      ...loadScalar('r1', 'r6', v),
      st(8, 'r10', base + RECORD_HEADER + 8 * i, 'r1'),
    ]),
    mov64('r1', 'r6'),
    ldMapFd('r2', o.perfMapFd),
    mov32('r3', -1), // BPF_F_CURRENT_CPU, zero-extended to 0xffffffff
    mov64('r4', 'r10'),
    add64('r4', base),
    mov64('r5', size),
    call('perf_event_output'),
    label('out'),
    ...returnZero(),
  ];
}
