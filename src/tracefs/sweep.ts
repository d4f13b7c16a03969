/**
 * Sweeps what dead probekit runs left behind (a run killed with -9): instances
 * and event groups named `probekit_<pid>_<random>` whose owner process is gone.
 * Nothing of another name, and nothing whose owner lives, is ever touched.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { listDynamicEvents, removeEvent } from './dynevents.js';
import { removeInstanceDir } from './instance.js';
import { isProcessAlive, ownerPid } from './naming.js';

export interface SweepReport {
  readonly instancesRemoved: string[];
  readonly eventsRemoved: string[];
  /** Things of dead runs that could not be removed (held by perf or BPF), with the reason. */
  readonly failed: string[];
}

function isStale(name: string, alive: (pid: number) => boolean): boolean {
  const pid = ownerPid(name);
  return pid !== null && pid !== process.pid && !alive(pid);
}

export function sweepStale(
  root: string,
  alive: (pid: number) => boolean = isProcessAlive,
): SweepReport {
  const report: SweepReport = { instancesRemoved: [], eventsRemoved: [], failed: [] };
  let instances: string[] = [];
  try {
    instances = readdirSync(join(root, 'instances'));
  } catch {
    instances = [];
  }
  // Instances first: removing one disables its events, so the definitions can go.
  for (const name of instances) {
    if (!isStale(name, alive)) continue;
    if (removeInstanceDir(join(root, 'instances', name))) report.instancesRemoved.push(name);
    else report.failed.push(`instance ${name}: busy`);
  }
  const hasDynamic = existsSync(join(root, 'dynamic_events'));
  for (const ev of listDynamicEvents(root)) {
    if (!isStale(ev.group, alive)) continue;
    const removed = removeEvent(
      root,
      hasDynamic ? 'dynamic_events' : definitionFileOf(ev.line),
      ev.group,
      ev.event,
    );
    const id = `${ev.group}/${ev.event}`;
    if (removed) report.eventsRemoved.push(id);
    else report.failed.push(`${id}: busy (held by perf or BPF?)`);
  }
  return report;
}

/** Without dynamic_events: a uprobe's place is `/path:offset`, a kprobe's is a symbol or address. */
function definitionFileOf(line: string): string {
  const place = line.split(/\s+/)[1] ?? '';
  return place.includes('/') ? 'uprobe_events' : 'kprobe_events';
}
