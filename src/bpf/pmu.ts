/** Dynamic PMUs (kprobe, uprobe) under /sys/bus/event_source/devices. */
import { readFileSync } from 'node:fs';
import { UnsupportedError } from '../errors.js';

const PMU_DIR = '/sys/bus/event_source/devices';

export type PmuName = 'kprobe' | 'uprobe';

/** The PMU's perf type number. */
export function pmuType(pmu: PmuName): number {
  try {
    return Number(readFileSync(`${PMU_DIR}/${pmu}/type`, 'utf8').trim());
  } catch (e) {
    throw new UnsupportedError(`${pmu}-pmu`, `this kernel has no ${pmu} PMU (${PMU_DIR}/${pmu})`, {
      cause: e,
      hint:
        pmu === 'kprobe'
          ? 'needs a kernel built with CONFIG_KPROBES and CONFIG_KPROBE_EVENTS (4.17+)'
          : 'needs a kernel built with CONFIG_UPROBE_EVENTS (4.17+)',
    });
  }
}

/** The config bit of the retprobe flag, from format/retprobe (`config:0`). */
export function retprobeBit(pmu: PmuName): number {
  try {
    const m = /^config:(\d+)/.exec(
      readFileSync(`${PMU_DIR}/${pmu}/format/retprobe`, 'utf8').trim(),
    );
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}
