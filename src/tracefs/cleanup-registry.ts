/**
 * Teardown that always runs: one process-wide registry of synchronous closers,
 * run on normal exit, on SIGINT/SIGTERM/SIGHUP, and on uncaught errors.
 * Handlers are installed while at least one closer is registered and removed after.
 */

type Closer = () => void;

const closers = new Set<Closer>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
let installed = false;

function runAll(): void {
  for (const c of [...closers]) {
    closers.delete(c);
    try {
      c();
    } catch {
      // Teardown goes on with the others; each closer reports its own leftovers.
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
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
  for (const s of SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  for (const s of SIGNALS) process.off(s, onSignal);
  process.off('exit', onExit);
}

/** Registers a closer; returns the function that unregisters it. */
export function registerCleanup(closer: Closer): () => void {
  closers.add(closer);
  install();
  return () => {
    closers.delete(closer);
    if (closers.size === 0) uninstall();
  };
}
