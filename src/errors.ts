/**
 * Structured errors. Every error probekit raises on purpose is a ProbekitError
 * with a literal `code`, a short message, an optional hint, and (for errors in
 * text the user typed) the input and the caret column. The CLI prints
 * `format()` and never a stack trace for these.
 */

/** How the CLI exits for an error: 2 for a usage mistake, 1 for a runtime failure. */
export type ExitCode = 1 | 2;

export interface ProbekitErrorOptions {
  /** What to do about it, one line. */
  hint?: string;
  /** The text the error points into (a probe spec, a kernel command line). */
  input?: string;
  /** 0-based column of the bad spot within `input`. */
  column?: number;
  /** Width of the bad spot, for `^~~~` underlining; 1 when unknown. */
  length?: number;
  /** The underlying cause (an errno error, a parse error). */
  cause?: unknown;
  /** Extra machine-readable details a caller may test. */
  details?: Record<string, unknown>;
}

export class ProbekitError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  readonly input: string | undefined;
  readonly column: number | undefined;
  readonly length: number;
  readonly details: Record<string, unknown>;
  readonly exitCode: ExitCode;

  constructor(
    code: string,
    message: string,
    options: ProbekitErrorOptions = {},
    exitCode: ExitCode = 1,
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ProbekitError';
    this.code = code;
    this.hint = options.hint;
    this.input = options.input;
    this.column = options.column;
    this.length = Math.max(1, options.length ?? 1);
    this.details = options.details ?? {};
    this.exitCode = exitCode;
  }

  /** The message, the quoted input with a caret under the bad spot, and the hint. */
  format(): string {
    const lines = [this.message];
    if (this.input !== undefined) {
      lines.push(`  ${this.input}`);
      if (this.column !== undefined) {
        const col = Math.min(Math.max(0, this.column), this.input.length);
        lines.push(`  ${' '.repeat(col)}^${'~'.repeat(Math.max(0, this.length - 1))}`);
      }
    }
    if (this.hint) lines.push(`  hint: ${this.hint}`);
    return lines.join('\n');
  }

  toJSON(): Record<string, unknown> {
    return {
      code: this.code,
      message: this.message,
      hint: this.hint,
      input: this.input,
      column: this.column,
      ...this.details,
    };
  }
}

/** A mistake in what the user typed: a probe spec, an option. Exit code 2. */
export class UsageError extends ProbekitError {
  constructor(code: string, message: string, options: ProbekitErrorOptions = {}) {
    super(code, message, options, 2);
    this.name = 'UsageError';
  }
}

/** A probe spec that does not parse or cannot be planned. Exit code 2. */
export class SpecError extends UsageError {
  constructor(code: string, message: string, options: ProbekitErrorOptions = {}) {
    super(code, message, options);
    this.name = 'SpecError';
  }
}

/** The running kernel lacks something the request needs. Exit code 1. */
export class UnsupportedError extends ProbekitError {
  readonly feature: string;
  constructor(feature: string, message: string, options: ProbekitErrorOptions = {}) {
    super('E_UNSUPPORTED', message, { ...options, details: { feature, ...options.details } }, 1);
    this.name = 'UnsupportedError';
    this.feature = feature;
  }
}

/** The kernel refused a write or a syscall. Exit code 1. */
export class KernelError extends ProbekitError {
  constructor(code: string, message: string, options: ProbekitErrorOptions = {}) {
    super(code, message, options, 1);
    this.name = 'KernelError';
  }
}

export function isProbekitError(e: unknown): e is ProbekitError {
  return e instanceof ProbekitError;
}

/** Node's errno errors carry `code` like 'ENOENT'. */
export function errnoCode(e: unknown): string | undefined {
  if (
    e &&
    typeof e === 'object' &&
    'code' in e &&
    typeof (e as { code: unknown }).code === 'string'
  ) {
    return (e as { code: string }).code;
  }
  return undefined;
}
