/**
 * ProbePlan: the exact lines a run writes to tracefs, as pure data. Same spec,
 * same options, same plan on any machine.
 */
import type { ArchName } from '../arch/types.js';
import type { ProbeKind, ProbeSpec } from '../spec/types.js';

/** Kernel features the planner may use; detected from tracefs README (src/kernel). */
export interface PlanFeatures {
  /** `$argN` fetchargs on kprobes. */
  readonly argN: boolean;
  /** `$argN` also inside kretprobes (6.10+). */
  readonly argNAtReturn: boolean;
  readonly ustring: boolean;
  /** `+u` user dereference. */
  readonly userDeref: boolean;
  readonly char: boolean;
  readonly symstr: boolean;
  /** BTF argument names in probe definitions (`<argname>` in README). */
  readonly btfArgs: boolean;
  /** `dynamic_events` exists. */
  readonly dynamicEvents: boolean;
  readonly kprobeEvents: boolean;
  readonly uprobeEvents: boolean;
  /** `%return` suffix form. */
  readonly returnSuffix: boolean;
  /** Immediate values `\imm`. */
  readonly immediates: boolean;
}

/** How one argument is fetched, for `explain`. */
export interface PlannedArg {
  readonly name: string;
  /** 1-based argument position when the value is a function argument. */
  readonly position: number | null;
  /** The register carrying it (tracefs name), when one does. */
  readonly register: string | null;
  /** The pt_regs member (`regs->si`), when a register carries it. */
  readonly ptRegs: string | null;
  /** The assembler name (`rsi`) for explain. */
  readonly asm: string | null;
  /** The fetch argument body as written to tracefs, e.g. `+0(%si):string`. */
  readonly fetch: string;
  readonly type: string;
  /** The whole `name=fetch:type` token. */
  readonly token: string;
  /** Notes for explain (positional guess, stack slot, ...). */
  readonly notes: readonly string[];
  /**
   * The return value of a kernel function returning a signed integer (from its
   * prototype): values in -4095..-1 are negated errno codes, shown by name.
   */
  readonly errno?: boolean;
}

export type DefinitionFile = 'kprobe_events' | 'uprobe_events' | 'dynamic_events';

export interface PlannedProbe {
  readonly spec: ProbeSpec;
  readonly kind: ProbeKind;
  readonly group: string;
  readonly event: string;
  /** The definition line, or null for tracepoints (nothing to define). */
  readonly definition: string | null;
  readonly file: DefinitionFile | null;
  /** Line that removes it, or null for tracepoints. */
  readonly removal: string | null;
  readonly args: readonly PlannedArg[];
  /** tracefs filter text for `events/G/E/filter`, or null. */
  readonly filter: string | null;
  /** Files relative to the instance/tracefs root that a run writes. */
  readonly files: readonly string[];
  /** Notes for explain. */
  readonly notes: readonly string[];
}

export interface ProbePlan {
  readonly arch: ArchName;
  readonly group: string;
  readonly probes: readonly PlannedProbe[];
  /** Every file a run would touch, relative to the tracefs root. */
  readonly files: readonly string[];
}

export interface PlanOptions {
  readonly arch: ArchName;
  readonly features: PlanFeatures;
  /** Group for this run's events (`probekit_<pid>_<random>`). */
  readonly group: string;
  /** Instance name (relative path under tracefs `instances/`). */
  readonly instance?: string;
  /** Resolves a user target to a file offset (ELF); absent in pure planning. */
  readonly resolveUser?: (path: string, symbol: string) => { path: string; offset: bigint } | null;
  /**
   * Without `resolveUser`, write a user symbol target as the placeholder
   * `PATH:SYMBOL[+OFFS]` (with a note) instead of failing. For explain only: the
   * kernel would refuse such a line.
   */
  readonly userPlaceholders?: boolean;
  /** Function prototypes (BTF), when known. */
  readonly prototype?: (func: string) => FunctionPrototype | null;
  /**
   * Resolves a member path from a parameter's BTF type (`file->f_path.dentry`):
   * offsets, size, signedness. Throws a ProbekitError (`E_BTF_*`) for a bad path;
   * its `details.path` names the path up to the bad element.
   */
  readonly resolveMember?: (
    rootTypeId: number,
    path: readonly { readonly op: '->' | '.'; readonly name: string }[],
  ) => MemberResolution;
  /**
   * For a syscall wrapper that takes only `struct pt_regs *` (`__x64_sys_openat`):
   * the syscall's own arguments (from `events/syscalls/sys_enter_NAME/format`)
   * and the pt_regs member offsets (from BTF). Null when unknown.
   */
  readonly syscallArgs?: (func: string) => SyscallArgs | null;
  /** Tracepoint fields, when known (from the format file). */
  readonly tracepointFields?: (
    group: string,
    event: string,
  ) => readonly TracepointFieldInfo[] | null;
}

/** One parameter of a function prototype (from BTF). */
export interface FunctionParam {
  readonly name: string;
  /** C text of the type, e.g. `const char *`. */
  readonly type: string;
  /** `char *`, `const char *` or `char[]`. */
  readonly isString: boolean;
  /** Pointer whose pointee carries the BTF `user` type tag (`__user`); false when the kernel does not record tags. */
  readonly isUserPtr: boolean;
  /** Size in bytes. */
  readonly size: number;
  readonly signed: boolean;
  readonly isPointer: boolean;
  /** BTF type id of the parameter, when it came from BTF. */
  readonly typeId?: number;
  /** A struct or union passed by value (may take several registers or the stack). */
  readonly isAggregate?: boolean;
}

export interface FunctionPrototype {
  readonly name: string;
  readonly returnType: string;
  readonly params: readonly FunctionParam[];
  /** BTF FUNC type id, when it came from BTF. */
  readonly btfId?: number;
  /** Return type: size in bytes (0 for void), signedness, and whether it is void or a pointer. */
  readonly returnSize?: number;
  readonly returnSigned?: boolean;
  readonly returnIsVoid?: boolean;
  readonly returnIsPointer?: boolean;
  /** BTF type id of the return type. */
  readonly returnTypeId?: number;
  /** Ends in `...`. */
  readonly variadic?: boolean;
}

/** A tracepoint field by name, or with its layout from the format file (lets filters fit values to the field). */
export type TracepointFieldInfo =
  | string
  | {
      readonly name: string;
      readonly size: number;
      readonly signed: boolean;
      readonly isString: boolean;
      /** Width of the declared C type when narrower than the field (syscall `int dfd` in 8 bytes). */
      readonly narrowSize?: number;
    };

/** A member path resolved to offsets; `MemberAccess` from src/btf has this shape. */
export interface MemberResolution {
  /** Offsets of the pointer reads made by each `->` after the first, in order. */
  readonly reads: readonly number[];
  /** Byte offset of the final member from the last pointer (of the container, for a bitfield). */
  readonly offset: number;
  /** Size in bytes of the final member (of the container, for a bitfield). */
  readonly size: number;
  readonly signed: boolean;
  /** C text of the final member's type. */
  readonly type: string;
  readonly isPointer: boolean;
  readonly isUserPtr: boolean;
  /** 'pointer': a `char *` member; 'array': a `char[N]` member; null otherwise. */
  readonly string: 'pointer' | 'array' | null;
  readonly bitfield: { readonly tracefsType: string } | null;
  /** Each element with its offset in its parent, for explain. */
  readonly steps?: readonly {
    readonly op: '->' | '.';
    readonly name: string;
    readonly offset: number;
    readonly type: string;
    readonly parent: string;
  }[];
}

/** The arguments of the syscall behind a pt_regs wrapper, and where pt_regs keeps them. */
export interface SyscallArgs {
  /** The syscall's name (`openat`). */
  readonly syscall: string;
  /** Its arguments in order, as the syscall tracepoint's format lists them. */
  readonly params: readonly FunctionParam[];
  /** Byte offset of each `struct pt_regs` member by name (`di` → 112 on x86_64), from BTF. */
  readonly ptRegs: Readonly<Record<string, number>>;
}
