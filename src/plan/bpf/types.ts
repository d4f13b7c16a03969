/**
 * The planner's BPF target: for each planned probe, where its program attaches,
 * what it records (slots at fixed offsets of one ring-buffer record) and the
 * filter it evaluates in the kernel. Pure data; src/bpf/gen/trace.ts turns it
 * into instructions.
 *
 * Record layout (little-endian, as the kernel writes it):
 *
 *   0  u32 pid (thread id)   4  u32 tgid      8  u64 timestamp (ns, CLOCK_MONOTONIC)
 *  16  char comm[16]        32  u32 cpu      36  u32 probe index
 *  40  u64 fault bits (bit i: slot i could not be read)
 *  48  u64 address: entry probes the probed address, return probes the return address
 *  56  the slots, each at an 8-byte aligned offset
 */
import type { BpfAttachTarget } from './target.js';

export const BPF_HEADER = {
  pid: 0,
  tgid: 4,
  timestamp: 8,
  comm: 16,
  cpu: 32,
  probe: 36,
  faults: 40,
  address: 48,
  size: 56,
} as const;

/** Longest string read into a record, NUL included (bpftrace's default is 64). */
export const BPF_STRING_MAX = 128;
/** Most slots in one probe (the fault bits are one u64). */
export const BPF_MAX_SLOTS = 64;

export type IntSize = 1 | 2 | 4 | 8;

/** Where a chain starts. */
export type BpfBase =
  /** A context scalar: a pt_regs register, or a tracepoint field. */
  | {
      readonly kind: 'ctx';
      readonly offset: number;
      readonly size: IntSize;
      readonly signed: boolean;
      /** The declared C type is narrower than the field (syscall `int dfd` in 8 bytes). */
      readonly narrow?: { readonly size: IntSize; readonly signed: boolean };
    }
  | { readonly kind: 'imm'; readonly value: bigint };

/** One `+OFFS(...)`: address = value + offset; the read is from user memory when `user`. */
export interface BpfDeref {
  readonly offset: bigint;
  readonly user: boolean;
}

/**
 * A value computed from the context: the base, then each deref reads 8 bytes at
 * its address, except the last which reads the slot's own size (for an int)
 * or only computes the address (for strings and arrays).
 */
export interface BpfChain {
  readonly base: BpfBase;
  readonly derefs: readonly BpfDeref[];
}

interface SlotCommon {
  readonly name: string;
  /** Byte offset in the record. */
  readonly offset: number;
  /** Bytes it takes in the record. */
  readonly bytes: number;
}

export type BpfSlot =
  | (SlotCommon & {
      readonly kind: 'int';
      readonly chain: BpfChain;
      readonly size: IntSize;
      readonly signed: boolean;
      readonly bitfield: { readonly width: number; readonly shift: number } | null;
    })
  | (SlotCommon & {
      readonly kind: 'string';
      /** Evaluates to the string's address. */
      readonly chain: BpfChain;
      readonly user: boolean;
      readonly max: number;
    })
  | (SlotCommon & {
      readonly kind: 'strings';
      /** Evaluates to the address of an array of `count` pointers. */
      readonly chain: BpfChain;
      readonly count: number;
      readonly pointersUser: boolean;
      readonly user: boolean;
      readonly max: number;
    })
  | (SlotCommon & {
      readonly kind: 'ints';
      /** Evaluates to the array's address. */
      readonly chain: BpfChain;
      readonly count: number;
      readonly size: IntSize;
      readonly signed: boolean;
      readonly user: boolean;
    })
  /** A tracepoint field that is itself text: `char name[N]` or `__data_loc char[]`. */
  | (SlotCommon & {
      readonly kind: 'ctx-string';
      readonly ctxOffset: number;
      /** `__data_loc`: the field is a u32 (length << 16 | offset from the record start). */
      readonly dataLoc: boolean;
      readonly max: number;
    })
  /** A tracepoint array of integers (`unsigned long args[6]`). */
  | (SlotCommon & {
      readonly kind: 'ctx-ints';
      readonly ctxOffset: number;
      readonly count: number;
      readonly size: IntSize;
      readonly signed: boolean;
    })
  | (SlotCommon & { readonly kind: 'comm' });

/** A number the filter compares: a slot, or a header field. */
export interface BpfOperand {
  readonly offset: number;
  readonly size: IntSize;
  readonly signed: boolean;
}

export type BpfCond =
  | { readonly kind: 'and' | 'or'; readonly left: BpfCond; readonly right: BpfCond }
  | { readonly kind: 'not'; readonly operand: BpfCond }
  | {
      readonly kind: 'cmp';
      readonly operand: BpfOperand;
      readonly op: '==' | '!=' | '<' | '<=' | '>' | '>=' | '&';
      readonly value: bigint;
    }
  | {
      /** Text equality, or a prefix when `prefix` (a glob `abc*`). */
      readonly kind: 'str';
      readonly offset: number;
      readonly max: number;
      readonly text: Uint8Array;
      readonly prefix: boolean;
      readonly negate: boolean;
    };

export interface BpfProbePlan {
  /** Index in the run: the record's probe field. */
  readonly index: number;
  /** The probe as typed, for labels and messages. */
  readonly probe: string;
  /** Event identity, the same as the tracefs backend's (`probekit_1_ab/p_main_0`, `syscalls/sys_enter_openat`). */
  readonly group: string;
  readonly event: string;
  readonly target: BpfAttachTarget;
  /**
   * Where the header's address comes from: the instruction pointer in pt_regs
   * (uprobes at entry: the probed address; return probes: the return address),
   * bpf_get_func_ip (kprobes at entry), or nowhere (tracepoints).
   */
  readonly address:
    | { readonly kind: 'regs'; readonly offset: number; readonly meaning: 'ip' | 'ret-ip' }
    | { readonly kind: 'func-ip' }
    | null;
  readonly slots: readonly BpfSlot[];
  readonly filter: BpfCond | null;
  /** Slots recorded only for the filter (tracepoint fields the probe does not show). */
  readonly hidden: readonly string[];
  /** Record bytes (header and slots). */
  readonly recordSize: number;
  readonly notes: readonly string[];
}
