/**
 * Teardown that always runs: one process-wide registry of synchronous closers,
 * run on normal exit, on SIGINT/SIGTERM/SIGHUP, and on uncaught errors.
 * Handlers are installed while at least one closer is registered and removed after.
 *
 * A closer may come with a soft stop for SIGINT (the CLI's Ctrl-C: stop
 * reading, drain, print the summary, clean up). The first SIGINT then only
 * calls the soft stops; a second one, or any SIGTERM/SIGHUP, closes at once.
 */

type Closer = () => void;

interface Entry {
  readonly softStop: (() => void) | undefined;
}

const entries = new Map<Closer, Entry>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;
let softStopped = false;

function runAll(): void {
  for (const c of [...entries.keys()]) {
    entries.delete(c);
    try {
      c();
    } catch {
      // Teardown goes on with the others; each closer reports its own leftovers.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const softs = [...entries.values()].flatMap((e) => (e.softStop ? [e.softStop] : []));
  if (signal === 'SIGINT' && !softStopped && softs.length > 0) {
    softStopped = true;
    for (const s of softs) s();
    return;
  }
  runAll();
  uninstall();
  // When nobody else handles the signal, die of it as we would have without us.
  if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
}

function onExit(): void {
  runAll();
}

function install(): void {
  if (installed) return;
  installed = true;
  softStopped = false;
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/** Registers a closer (and optionally a soft stop for the first SIGINT); returns the function that unregisters it. */
export function registerCleanup(closer: Closer, softStop?: () => void): () => void {
  entries.set(closer, { softStop });
  install();
  return () => {
    entries.delete(closer);
    if (entries.size === 0) uninstall();
  };
}
