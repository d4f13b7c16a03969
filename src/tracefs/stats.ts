/** Per-CPU ring-buffer statistics of an instance (`per_cpu/cpuN/stats`). */
import type { Instance } from './instance.js';

export interface CpuStats {
  readonly entries: number;
  readonly overrun: number;
  readonly dropped: number;
}

export function parseStats(text: string): CpuStats {
  const get = (key: string): number => {
    const m = new RegExp(`^${key}:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { entries: get('entries'), overrun: get('overrun'), dropped: get('dropped events') };
}

export function readPerCpuStats(inst: Instance, cpu: number): CpuStats {
  return parseStats(inst.read(`per_cpu/cpu${cpu}/stats`) ?? '');
}
