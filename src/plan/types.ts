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
  /** Function prototypes (BTF), when known. */
  readonly prototype?: (func: string) => FunctionPrototype | null;
  /** Tracepoint fields, when known (from the format file). */
  readonly tracepointFields?: (group: string, event: string) => readonly string[] | null;
}

export interface FunctionPrototype {
  readonly name: string;
  readonly returnType: string;
  readonly params: readonly { readonly name: string; readonly type: string; readonly isString: boolean; readonly isUserPtr: boolean; readonly size: number; readonly signed: boolean; readonly isPointer: boolean }[];
}
