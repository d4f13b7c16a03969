/** What the argument and filter planners need to know about one probe. */
import type { ArchInfo } from '../arch/types.js';
import { SpecError, UnsupportedError } from '../errors.js';
import type { ProbeSpec, Span } from '../spec/types.js';
import type { FunctionPrototype, PlanFeatures, PlanOptions, SyscallArgs } from './types.js';

export interface ProbeContext {
  readonly spec: ProbeSpec;
  readonly arch: ArchInfo;
  /** Whose calling convention applies: the kernel's (k, kr) or the user ABI (u, ur). */
  readonly side: 'kernel' | 'user';
  readonly isReturn: boolean;
  readonly features: PlanFeatures;
  /** The probed function's prototype, when known. */
  readonly prototype: FunctionPrototype | null;
  /** The function name for messages (`do_sys_open`, `readline`). */
  readonly func: string;
  /** Member path resolution from BTF, when available. */
  readonly resolveMember: PlanOptions['resolveMember'] | null;
  /** For a pt_regs syscall wrapper: the syscall's own arguments, when known. */
  readonly syscall: SyscallArgs | null;
}

/** A SpecError pointing at `span` in the probe text. */
export function errorAt(
  ctx: ProbeContext,
  code: string,
  message: string,
  span: Span,
  hint: string,
): SpecError {
  return new SpecError(code, message, {
    input: ctx.spec.text,
    column: span.start,
    length: Math.max(1, span.end - span.start),
    hint,
  });
}

/** An UnsupportedError for a kernel feature, pointing at `span`. */
export function unsupportedAt(
  ctx: ProbeContext,
  feature: string,
  message: string,
  span: Span,
  hint: string,
): UnsupportedError {
  return new UnsupportedError(feature, message, {
    input: ctx.spec.text,
    column: span.start,
    length: Math.max(1, span.end - span.start),
    hint,
  });
}
