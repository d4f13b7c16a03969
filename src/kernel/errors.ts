/**
 * Preflight errors: the request is well formed but this kernel cannot do it
 * (no such function, blacklisted, no kprobes). Exit code 1, a literal code,
 * a hint, and `details.suggestions` a caller (or a test) can read.
 */
import { ProbekitError, type ProbekitErrorOptions } from '../errors.js';

export type PreflightCode =
  | 'E_NO_KPROBES'
  | 'E_NO_FPROBE'
  | 'E_NO_SUCH_FUNCTION'
  | 'E_NOT_A_FUNCTION'
  | 'E_NOT_UNIQUE'
  | 'E_BLACKLISTED'
  | 'E_NOT_TRACEABLE'
  | 'E_NOT_ENTRY'
  | 'E_NO_TRACEPOINTS'
  | 'E_NO_SUCH_TRACEPOINT'
  | 'E_NO_SUCH_FIELD';

export class PreflightError extends ProbekitError {
  override readonly code: PreflightCode;
  /** Probe texts or names to try instead, best first (may be empty). */
  readonly suggestions: readonly string[];

  constructor(
    code: PreflightCode,
    message: string,
    options: ProbekitErrorOptions & { suggestions?: readonly string[] } = {},
  ) {
    const suggestions = options.suggestions ?? [];
    super(code, message, { ...options, details: { ...options.details, suggestions } }, 1);
    this.name = 'PreflightError';
    this.code = code;
    this.suggestions = suggestions;
  }
}
