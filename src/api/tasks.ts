/**
 * Task names and process ids for binary records, which carry only the thread
 * id: /proc first (the live process), then the kernel's saved_cmdlines and
 * saved_tgids (tasks that already exited). Cached per thread id.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export class TaskNames {
  private readonly comms = new Map<number, string>();
  private readonly tgids = new Map<number, number>();
  private savedLoaded = 0;
  /** Thread ids already looked for in a fresh reload, so an unknown one costs one reload, not one per event. */
  private readonly reloadedFor = new Set<number>();

  constructor(private readonly tracefsRoot: string) {}

  comm = (pid: number): string | undefined => {
    const hit = this.comms.get(pid);
    if (hit !== undefined) return hit;
    if (pid === 0) return '<idle>';
    try {
      const c = readFileSync(`/proc/${pid}/comm`, 'utf8').trimEnd();
      this.comms.set(pid, c);
      return c;
    } catch {
      this.loadSaved(pid);
      return this.comms.get(pid);
    }
  };

  tgid = (pid: number): number | undefined => {
    const hit = this.tgids.get(pid);
    if (hit !== undefined) return hit;
    try {
      const m = /^Tgid:\s*(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (m) {
        this.tgids.set(pid, Number(m[1]));
        return Number(m[1]);
      }
    } catch {
      this.loadSaved(pid);
    }
    return this.tgids.get(pid);
  };

  /**
   * The kernel's own pid → comm and pid → tgid records: reloaded at most every
   * 100 ms, and once more for a thread id not seen before (a task that exited
   * between its event and our read).
   */
  private loadSaved(pid: number): void {
    const now = Date.now();
    const first = !this.reloadedFor.has(pid);
    if (first) {
      if (this.reloadedFor.size > 65_536) this.reloadedFor.clear();
      this.reloadedFor.add(pid);
    }
    if (!first && now - this.savedLoaded < 100) return;
    this.savedLoaded = now;
    for (const line of read(join(this.tracefsRoot, 'saved_cmdlines')).split('\n')) {
      const sp = line.indexOf(' ');
      if (sp > 0 && !this.comms.has(Number(line.slice(0, sp))))
        this.comms.set(Number(line.slice(0, sp)), line.slice(sp + 1));
    }
    for (const line of read(join(this.tracefsRoot, 'saved_tgids')).split('\n')) {
      const [p, t] = line.split(' ');
      if (p && t && !this.tgids.has(Number(p))) this.tgids.set(Number(p), Number(t));
    }
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
