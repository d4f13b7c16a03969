/** Turns an error into what the user sees, and the exit code. Stack traces only for bugs. */
import { isProbekitError } from '../errors.js';

export function reportError(e: unknown, stderr: NodeJS.WritableStream, verbose: boolean): number {
  if (isProbekitError(e)) {
    stderr.write(`probekit: ${e.format()}\n`);
    if (verbose && e.cause) stderr.write(`  cause: ${String(e.cause)}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  stderr.write(
    `probekit: internal error: ${err.message}\n${err.stack ?? ''}\n  this is a bug in probekit; please report it with the command you ran\n`,
  );
  return 1;
}
