// The bench's own tracefs instance for the `cat trace_pipe` peer: the
// tracepoint is enabled there with a pid filter, never in the global buffer.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';

export const TRACEFS = existsSync('/sys/kernel/tracing/instances')
  ? '/sys/kernel/tracing'
  : '/sys/kernel/debug/tracing';

export class BenchInstance {
  constructor(name, event) {
    this.path = join(TRACEFS, 'instances', name);
    this.event = event;
    this.enabled = false;
  }

  create(pid) {
    mkdirSync(this.path);
    writeFileSync(join(this.path, 'set_event_pid'), String(pid));
    writeFileSync(join(this.path, 'events', this.event, 'enable'), '1');
    this.enabled = true;
  }

  get pipe() {
    return join(this.path, 'trace_pipe');
  }

  /** Events the kernel overwrote or dropped in this instance (it is fresh each run). */
  lost() {
    let n = 0;
    for (const cpu of readdirSync(join(this.path, 'per_cpu'))) {
      const s = readFileSync(join(this.path, 'per_cpu', cpu, 'stats'), 'utf8');
      for (const m of s.matchAll(/^(?:overrun|dropped events): (\d+)/gm)) n += Number(m[1]);
    }
    return n;
  }

  /** Disables the event and removes the instance; safe to call twice. */
  remove() {
    if (!existsSync(this.path)) return true;
    try {
      if (this.enabled) writeFileSync(join(this.path, 'events', this.event, 'enable'), '0');
    } catch {
      // Removing the instance disables it anyway.
    }
    this.enabled = false;
    for (let i = 0; i < 20; i++) {
      try {
        rmdirSync(this.path);
        return true;
      } catch {
        // Busy while a reader still holds trace_pipe; retry shortly.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
      }
    }
    return false;
  }
}
