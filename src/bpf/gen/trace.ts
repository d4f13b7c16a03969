/**
 * The program of one traced probe (a BpfProbePlan): reserve a ring-buffer
 * record, fill its header and slots, evaluate the filter on what was written,
 * then submit or discard it. A full ring counts a drop on this CPU.
 *
 * Registers: r6 context, r7 record, r8 fault bits, r9 array address; the stack
 * at fp-8 is the scratch word helpers read into, fp-16 the pid-map key.
 */
import {
  BPF_HEADER,
  type BpfChain,
  type BpfCond,
  type BpfProbePlan,
  type BpfSlot,
  type IntSize,
} from '../../plan/bpf/types.js';
import {
  add64,
  alu64,
  and64,
  atomic,
  call,
  ja,
  jeq64,
  jmp64,
  jne64,
  label,
  ldImm64,
  ldMapFd,
  ldx,
  mov64,
  or64,
  type RegName,
  rsh64,
  st,
} from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import { returnZero } from './snippets.js';

export interface TraceProgramMaps {
  readonly ringbufFd: number;
  /** Per-CPU array (u32 → u64) whose slot 0 counts records dropped on a full ring. */
  readonly dropsFd: number;
  /** Hash of traced process ids (u32 → u32), when tracing only some processes. */
  readonly pidsFd?: number;
}

export interface TraceProgramOptions {
  /**
   * The program is loaded sleepable (uprobes, 5.19+): user memory is read with
   * bpf_copy_from_user, which faults pages in, so a string in a page not yet
   * touched is read instead of failing.
   */
  readonly sleepable?: boolean;
  /**
   * A power of two: wake the reader only when the bytes waiting in the ring
   * cross a multiple of it (default: on every record the reader has caught up
   * with, the kernel's own rule). Other records are submitted without a
   * wakeup, and the reader, which polls every few tens of milliseconds anyway,
   * finds them then: at high rates this saves a wakeup per event, and a reader
   * that lags is woken once per this many bytes, not once per record.
   */
  readonly wakeBytes?: number;
}

/** bpf_ringbuf_query's BPF_RB_AVAIL_DATA, and bpf_ringbuf_submit's wakeup flags. */
const RB_AVAIL_DATA = 0;
const RB_NO_WAKEUP = 1;
const RB_FORCE_WAKEUP = 2;

/** The room a record takes in the ring: an 8-byte header, and its length rounded up to 8. */
function ringRecordBytes(size: number): number {
  return 8 + Math.ceil(size / 8) * 8;
}

const SCRATCH = -8;
const PID_KEY = -16;
/** The address a string read started at, kept for the retry after a fault. */
const STR_ADDR = -24;

const fits32 = (v: bigint): boolean => v >= -(1n << 31n) && v < 1n << 31n;

class Gen {
  readonly out: Insn[] = [];
  readonly sleepable: boolean;
  constructor(sleepable: boolean) {
    this.sleepable = sleepable;
  }
  /** Fault labels some read jumps to (the verifier refuses unreachable code). */
  readonly used = new Set<string>();
  #labels = 0;
  fresh(name: string): string {
    return `${name}_${this.#labels++}`;
  }
  emit(...i: Insn[]): void {
    this.out.push(...i);
  }
  /** dst += v (any 64-bit v). */
  addConst(dst: RegName, v: bigint): void {
    if (v === 0n) return;
    if (fits32(v)) this.emit(add64(dst, Number(v)));
    else this.emit(ldImm64('r2', v), add64(dst, 'r2'));
  }
  /** Truncate or extend the low `size` bytes of r to 64 bits. */
  normalize(r: RegName, size: IntSize, signed: boolean): void {
    if (size === 8) return;
    const shift = 64 - size * 8;
    this.emit(alu64('lsh', r, shift), alu64(signed ? 'arsh' : 'rsh', r, shift));
  }
  setFault(bit: number): void {
    if (bit < 31) this.emit(or64('r8', 1 << bit));
    else this.emit(ldImm64('r1', 1n << BigInt(bit)), or64('r8', 'r1'));
  }
  /** r3 = *(size)(r3) through the probe_read helper, zero-extended; jumps to `fail` on a fault. */
  read(size: IntSize, user: boolean, fail: string): void {
    this.emit(
      st(8, 'r10', SCRATCH, 0),
      mov64('r1', 'r10'),
      add64('r1', SCRATCH),
      mov64('r2', size),
      call(user ? (this.sleepable ? 'copy_from_user' : 'probe_read_user') : 'probe_read_kernel'),
      jne64('r0', 0, fail),
      ldx(size, 'r3', 'r10', SCRATCH),
    );
    this.used.add(fail);
  }
  /**
   * Read the NUL-terminated string at r3 into the record at r7+at; jumps to
   * `done` when read, falls through on a fault. A sleepable program faults in
   * the pages of its first and last possible byte, then tries once more.
   */
  readString(at: number, max: number, user: boolean, done: string): void {
    const str = user ? 'probe_read_user_str' : 'probe_read_kernel_str';
    const attempt = (): Insn[] => [
      mov64('r1', 'r7'),
      add64('r1', at),
      mov64('r2', max),
      call(str),
      jmp64('jsge', 'r0', 0, done),
    ];
    if (!(user && this.sleepable)) {
      this.emit(...attempt());
      return;
    }
    const touch = (extra: number): Insn[] => [
      mov64('r1', 'r10'),
      add64('r1', SCRATCH),
      mov64('r2', 1),
      ldx(8, 'r3', 'r10', STR_ADDR),
      add64('r3', extra),
      call('copy_from_user'),
    ];
    this.emit(st(8, 'r10', STR_ADDR, 'r3'), ...attempt(), ...touch(0), ...touch(max - 1));
    this.emit(ldx(8, 'r3', 'r10', STR_ADDR), ...attempt());
  }
  /**
   * r3 = the chain's value. In 'value' mode the last deref reads `size`
   * bytes; in 'address' mode it only adds its offset.
   */
  chain(c: BpfChain, mode: 'value' | 'address', size: IntSize, fail: string): void {
    if (c.base.kind === 'imm') this.emit(ldImm64('r3', c.base.value));
    else this.emit(ldx(c.base.size, 'r3', 'r6', c.base.offset));
    c.derefs.forEach((d, i) => {
      this.addConst('r3', d.offset);
      const last = i === c.derefs.length - 1;
      if (last && mode === 'address') return;
      this.read(last ? size : 8, d.user, fail);
    });
  }
}

function slotCode(g: Gen, s: BpfSlot, bit: number): void {
  const fail = g.fresh('fault');
  const done = g.fresh('done');
  switch (s.kind) {
    case 'int': {
      g.chain(s.chain, 'value', s.size, fail);
      if (s.bitfield) {
        const { width, shift } = s.bitfield;
        if (shift > 0) g.emit(rsh64('r3', shift));
        if (width < 64) g.emit(alu64('lsh', 'r3', 64 - width), rsh64('r3', 64 - width));
      } else {
        g.normalize('r3', s.size, s.signed);
      }
      g.emit(st(8, 'r7', s.offset, 'r3'));
      if (!g.used.has(fail)) return;
      g.emit(ja(done), label(fail));
      g.setFault(bit);
      g.emit(st(8, 'r7', s.offset, 0), label(done));
      return;
    }
    case 'string': {
      g.emit(st(1, 'r7', s.offset, 0));
      g.chain(s.chain, 'address', 8, fail);
      g.readString(s.offset, s.max, s.user, done);
      g.emit(label(fail));
      g.setFault(bit);
      g.emit(st(1, 'r7', s.offset, 0), label(done));
      return;
    }
    case 'strings': {
      // fp-8 scratch; the count of strings read goes in the slot's first 8 bytes.
      g.emit(st(8, 'r7', s.offset, 0));
      g.chain(s.chain, 'address', 8, fail);
      g.emit(mov64('r9', 'r3'));
      for (let k = 0; k < s.count; k++) {
        const at = s.offset + 8 + k * s.max;
        const ok = g.fresh('ok');
        g.emit(mov64('r3', 'r9'), add64('r3', k * 8));
        g.read(8, s.pointersUser, fail);
        g.emit(jeq64('r3', 0, done));
        g.readString(at, s.max, s.user, ok);
        g.emit(st(1, 'r7', at, 0));
        g.setFault(bit);
        g.emit(label(ok), st(8, 'r7', s.offset, k + 1));
      }
      g.emit(ja(done), label(fail));
      g.setFault(bit);
      g.emit(label(done));
      return;
    }
    case 'ints': {
      g.chain(s.chain, 'address', 8, fail);
      g.emit(mov64('r9', 'r3'));
      for (let k = 0; k < s.count; k++) {
        g.emit(mov64('r3', 'r9'), add64('r3', k * s.size));
        g.read(s.size, s.user, fail);
        g.normalize('r3', s.size, s.signed);
        g.emit(st(8, 'r7', s.offset + 8 * k, 'r3'));
      }
      g.emit(ja(done), label(fail));
      g.setFault(bit);
      g.emit(label(done));
      return;
    }
    case 'ctx-string': {
      if (s.dataLoc) {
        g.emit(ldx(4, 'r3', 'r6', s.ctxOffset), and64('r3', 0xffff), add64('r3', 'r6'));
      } else {
        g.emit(mov64('r3', 'r6'), add64('r3', s.ctxOffset));
      }
      g.emit(
        mov64('r1', 'r7'),
        add64('r1', s.offset),
        mov64('r2', s.max),
        call('probe_read_kernel_str'),
        jmp64('jsge', 'r0', 0, done),
        label(fail),
      );
      g.setFault(bit);
      g.emit(st(1, 'r7', s.offset, 0), label(done));
      return;
    }
    case 'ctx-ints': {
      for (let k = 0; k < s.count; k++) {
        g.emit(ldx(s.size, 'r3', 'r6', s.ctxOffset + k * s.size));
        g.normalize('r3', s.size, s.signed);
        g.emit(st(8, 'r7', s.offset + 8 * k, 'r3'));
      }
      return;
    }
    case 'comm': {
      g.emit(
        ldx(8, 'r1', 'r7', BPF_HEADER.comm),
        st(8, 'r7', s.offset, 'r1'),
        ldx(8, 'r1', 'r7', BPF_HEADER.comm + 8),
        st(8, 'r7', s.offset + 8, 'r1'),
      );
      return;
    }
  }
}

const JUMP: Record<'==' | '!=' | '<' | '<=' | '>' | '>=' | '&', [string, string]> = {
  '==': ['jeq', 'jeq'],
  '!=': ['jne', 'jne'],
  '<': ['jlt', 'jslt'],
  '<=': ['jle', 'jsle'],
  '>': ['jgt', 'jsgt'],
  '>=': ['jge', 'jsge'],
  '&': ['jset', 'jset'],
};

/** Jumps to `yes` when the condition holds, to `no` otherwise. */
function condCode(g: Gen, c: BpfCond, yes: string, no: string): void {
  switch (c.kind) {
    case 'and': {
      const mid = g.fresh('and');
      condCode(g, c.left, mid, no);
      g.emit(label(mid));
      condCode(g, c.right, yes, no);
      return;
    }
    case 'or': {
      const mid = g.fresh('or');
      condCode(g, c.left, yes, mid);
      g.emit(label(mid));
      condCode(g, c.right, yes, no);
      return;
    }
    case 'not':
      condCode(g, c.operand, no, yes);
      return;
    case 'cmp': {
      const o = c.operand;
      g.emit(ldx(o.size, 'r1', 'r7', o.offset));
      if (o.size < 8 && o.signed) g.normalize('r1', o.size, true);
      const op = JUMP[c.op][o.signed ? 1 : 0] as Parameters<typeof jmp64>[0];
      if (fits32(c.value)) g.emit(jmp64(op, 'r1', Number(c.value), yes));
      else g.emit(ldImm64('r2', c.value), jmp64(op, 'r1', 'r2', yes));
      g.emit(ja(no));
      return;
    }
    case 'str': {
      const differ = c.negate ? yes : no;
      const same = c.negate ? no : yes;
      c.text.forEach((byte, j) => {
        g.emit(ldx(1, 'r1', 'r7', c.offset + j), jne64('r1', byte, differ));
      });
      if (!c.prefix) g.emit(ldx(1, 'r1', 'r7', c.offset + c.text.length), jne64('r1', 0, differ));
      g.emit(ja(same));
      return;
    }
  }
}

/** The instructions of one probe's program. */
export function traceProgram(
  p: BpfProbePlan,
  maps: TraceProgramMaps,
  options: TraceProgramOptions = {},
): Insn[] {
  const g = new Gen(options.sleepable ?? false);
  g.emit(mov64('r6', 'r1'));
  if (maps.pidsFd !== undefined) {
    g.emit(
      call('get_current_pid_tgid'),
      rsh64('r0', 32),
      st(4, 'r10', PID_KEY, 'r0'),
      ldMapFd('r1', maps.pidsFd),
      mov64('r2', 'r10'),
      add64('r2', PID_KEY),
      call('map_lookup_elem'),
      jeq64('r0', 0, 'out'),
    );
  }
  g.emit(
    ldMapFd('r1', maps.ringbufFd),
    mov64('r2', p.recordSize),
    mov64('r3', 0),
    call('ringbuf_reserve'),
    jeq64('r0', 0, 'full'),
    mov64('r7', 'r0'),
    mov64('r8', 0),
    call('get_current_pid_tgid'),
    st(4, 'r7', BPF_HEADER.pid, 'r0'),
    rsh64('r0', 32),
    st(4, 'r7', BPF_HEADER.tgid, 'r0'),
    call('ktime_get_ns'),
    st(8, 'r7', BPF_HEADER.timestamp, 'r0'),
    mov64('r1', 'r7'),
    add64('r1', BPF_HEADER.comm),
    mov64('r2', 16),
    call('get_current_comm'),
    call('get_smp_processor_id'),
    st(4, 'r7', BPF_HEADER.cpu, 'r0'),
    st(4, 'r7', BPF_HEADER.probe, p.index),
  );
  if (p.address?.kind === 'regs') g.emit(ldx(8, 'r1', 'r6', p.address.offset));
  else if (p.address?.kind === 'func-ip')
    g.emit(mov64('r1', 'r6'), call('get_func_ip'), mov64('r1', 'r0'));
  else g.emit(mov64('r1', 0));
  g.emit(st(8, 'r7', BPF_HEADER.address, 'r1'));
  p.slots.forEach((s, i) => {
    slotCode(g, s, i);
  });
  g.emit(st(8, 'r7', BPF_HEADER.faults, 'r8'));
  if (p.filter) condCode(g, p.filter, 'keep', 'drop');
  g.emit(label('keep'));
  if (options.wakeBytes === undefined) g.emit(mov64('r2', 0));
  else
    g.emit(
      ldMapFd('r1', maps.ringbufFd),
      mov64('r2', RB_AVAIL_DATA),
      call('ringbuf_query'),
      mov64('r2', RB_NO_WAKEUP),
      jmp64('jlt', 'r0', options.wakeBytes, 'submit'),
      and64('r0', options.wakeBytes - 1),
      jmp64('jge', 'r0', ringRecordBytes(p.recordSize), 'submit'),
      mov64('r2', RB_FORCE_WAKEUP),
      label('submit'),
    );
  g.emit(mov64('r1', 'r7'), call('ringbuf_submit'), ja('out'));
  if (p.filter)
    g.emit(label('drop'), mov64('r1', 'r7'), mov64('r2', 0), call('ringbuf_discard'), ja('out'));
  g.emit(
    label('full'),
    st(4, 'r10', PID_KEY, 0),
    ldMapFd('r1', maps.dropsFd),
    mov64('r2', 'r10'),
    add64('r2', PID_KEY),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'out'),
    mov64('r1', 1),
    atomic('add', 8, 'r0', 0, 'r1'),
    label('out'),
    ...returnZero(),
  );
  return g.out;
}

/**
 * The fork follower: when a traced process forks, its child is traced too
 * (sched:sched_process_fork runs in the parent). `childPidOffset` is the
 * child_pid field's offset in the tracepoint record.
 */
export function forkFollowerProgram(pidsFd: number, childPidOffset: number): Insn[] {
  return [
    mov64('r6', 'r1'),
    call('get_current_pid_tgid'),
    rsh64('r0', 32),
    st(4, 'r10', PID_KEY, 'r0'),
    ldMapFd('r1', pidsFd),
    mov64('r2', 'r10'),
    add64('r2', PID_KEY),
    call('map_lookup_elem'),
    jeq64('r0', 0, 'out'),
    ldx(4, 'r1', 'r6', childPidOffset),
    st(4, 'r10', PID_KEY, 'r1'),
    st(4, 'r10', SCRATCH, 1),
    ldMapFd('r1', pidsFd),
    mov64('r2', 'r10'),
    add64('r2', PID_KEY),
    mov64('r3', 'r10'),
    add64('r3', SCRATCH),
    mov64('r4', 0),
    call('map_update_elem'),
    label('out'),
    ...returnZero(),
  ];
}
