/**
 * Aggregation in the kernel with generated BPF programs: call counts, latency
 * histograms and argument values counted or bucketed where the events happen,
 * so that nothing but the totals crosses to user space. The probes are given
 * and checked exactly as for trace() (prepare: parse, preflight, plan); each
 * planned probe becomes a program attached to the same place.
 *
 * Every kernel object is owned by a file descriptor: close() — or the end of
 * the process, even by kill -9 — removes them all.
 *
 * -p: the programs count one process (all its threads), filtered in the
 * kernel by tgid; its children are not followed.
 */
export { bpfAvailable, whyNoBpf } from '../../bpf/availability.js';
export * from './count.js';
export * from './latency.js';
export type { AggregateOptions, Aggregation } from './shared.js';
export * from './values.js';
