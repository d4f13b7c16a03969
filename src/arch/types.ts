/** Calling-convention facts for one architecture, as tracefs sees them. */

export type ArchName =
  | 'x86_64'
  | 'i386'
  | 'arm64'
  | 'arm'
  | 'riscv64'
  | 's390x'
  | 'powerpc64le'
  | 'powerpc64'
  | 'loongarch64'
  | 'mips64';

/** Where one integer argument lives at function entry. */
export type ArgLocation =
  /** In a register: `reg` is the exact tracefs name (without `%`). */
  | { kind: 'reg'; reg: string; ptRegs: string; asm: string }
  /** In a stack slot: the fetch expression tracefs accepts, e.g. `$stack1` or `+160(%r15)`. */
  | { kind: 'stack'; fetch: string; note: string }
  /** Not reachable: `reason` says why and what to do instead. */
  | { kind: 'none'; reason: string };

export interface CallingConvention {
  /** Registers for integer/pointer arguments 1..N, tracefs spelling without `%`. */
  readonly argRegs: readonly string[];
  /**
   * Where argument N (1-based) beyond the registers is found at function entry,
   * or null when the convention puts it somewhere tracefs cannot name reliably.
   */
  readonly stackArg: ((n: number) => { fetch: string; note: string }) | null;
  /** Why stack arguments are refused, when `stackArg` is null. */
  readonly stackArgRefusal?: string;
}

export interface ArchInfo {
  readonly name: ArchName;
  /** Other names users type (uname -m, Debian, Go, Node's process.arch). */
  readonly aliases: readonly string[];
  readonly bits: 32 | 64;
  readonly endian: 'little' | 'big';
  /** Every register name tracefs accepts after `%` (regoffset_table), exact. */
  readonly registers: readonly string[];
  /**
   * tracefs register name → byte offset in the kernel's `struct pt_regs`, the
   * context a BPF kprobe/uprobe program reads. This is what the kernel's
   * regoffset_table says (`offsetof(struct pt_regs, X)`, see regs_query_register_offset
   * in the arch's ptrace.c); s390 has no table (it parses `r<N>` into an index), so
   * there it is `offsetof(struct pt_regs, gprs[N])`. Every name in `registers` has an
   * entry; a few kernel aliases (powerpc `gprN` = `rN`, arm64 `lr` = `x30`) share one.
   * Each slot is one `unsigned long` (4 bytes on 32-bit arches, 8 on 64-bit).
   */
  readonly ptRegsOffsets: Readonly<Record<string, number>>;
  /**
   * Bytes at the start of `struct pt_regs` that every kernel of this arch has, so a
   * BPF program may read any slot below it (the verifier allows ctx reads below
   * `sizeof(struct pt_regs)`). It is `sizeof(struct pt_regs)` where that is fixed;
   * where it grew across versions or depends on config (arm64, s390, powerpc), it is
   * the size of the uapi `user_pt_regs` prefix that holds all the named registers.
   */
  readonly ptRegsSize: number;
  /** Assembler name (e.g. `rdi`) → pt_regs member for explain (e.g. `di`). */
  readonly ptRegsMember: Readonly<Record<string, string>>;
  /** tracefs name (e.g. `di`) → assembler name (e.g. `rdi`), for explain; missing means the same. */
  readonly asmNames: Readonly<Record<string, string>>;
  /** Assembler spellings users may type that tracefs refuses, mapped to the right name. */
  readonly asmAliases: Readonly<Record<string, string>>;
  /** The kernel's own convention (kprobes). */
  readonly kernel: CallingConvention;
  /** The user-space ABI (uprobes). */
  readonly user: CallingConvention;
  readonly retReg: string;
  readonly spReg: string;
  readonly pcReg: string | null;
  readonly raReg: string | null;
  /** Whether the kernel has HAVE_FUNCTION_ARG_ACCESS_API, so `$argN` works. */
  readonly hasArgN: boolean;
  /** Default type when none is given (tracefs uses x64 on 64-bit, x32 on 32-bit). */
  readonly defaultType: 'x64' | 'x32';
  /** How to spell a register hint, e.g. "tracefs spells x86_64 registers without the r". */
  readonly registerHint: string;
  /** Where the facts come from (kernel source files). */
  readonly source: string;
}
