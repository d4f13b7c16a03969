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
  {
    name: 'execsnoop',
    summary: 'trace new processes: every exec with its arguments and result',
    load: () => import('../tools/execsnoop/index.js'),
  },
  {
    name: 'opensnoop',
    summary: 'trace file opens: process, fd or error, flags and path',
    load: () => import('../tools/opensnoop/index.js'),
  },
  {
    name: 'funccount',
    summary: 'count calls of kernel or user functions and tracepoints matching patterns',
    load: () => import('../tools/funccount/index.js'),
  },
  {
    name: 'funclatency',
    summary: "histogram of a function's latency (entry to return, per thread)",
    load: () => import('../tools/funclatency/index.js'),
  },
  {
    name: 'syscount',
    summary: 'count syscalls by name or process, with latency or errors',
    load: () => import('../tools/syscount/index.js'),
  },
  {
    name: 'argdist',
    summary: 'count or histogram the values of a probe argument',
    load: () => import('../tools/argdist/index.js'),
  },
  {
    name: 'errsnoop',
    summary: 'calls of functions that fail with a negative errno, with the error name',
    load: () => import('../tools/errsnoop/index.js'),
  },
];
