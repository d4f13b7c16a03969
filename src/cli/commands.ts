/**
 * The command table. Each entry loads its module only when run, so that
 * `probekit --help` and `probekit explain` start fast.
 */
import type { CommandEntry } from './command.js';

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'trace',
    summary: 'put probes in, stream what they record, take them out',
    load: () => import('./commands/trace.js'),
  },
  {
    name: 'explain',
    summary: 'show which register carries each argument and the exact lines, writing nothing',
    load: () => import('./commands/explain.js'),
  },
  {
    name: 'list',
    summary: 'list traceable kernel functions, tracepoints, or functions of a binary',
    load: () => import('./commands/list.js'),
  },
  {
    name: 'doctor',
    summary: 'check what this kernel supports for probekit, with remedies',
    load: () => import('./commands/doctor.js'),
  },
  {
    name: 'cleanup',
    summary: 'remove probes and instances left by probekit runs that died',
    load: () => import('./commands/cleanup.js'),
  },
];
