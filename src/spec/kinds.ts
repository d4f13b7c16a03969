/** Probe kinds as typed in the probekit language, with bpftrace's names and short forms. */
import type { ProbeKind } from './types.js';

export const PROBE_KINDS = {
  kprobe: 'kprobe',
  k: 'kprobe',
  kretprobe: 'kretprobe',
  kr: 'kretprobe',
  uprobe: 'uprobe',
  u: 'uprobe',
  uretprobe: 'uretprobe',
  ur: 'uretprobe',
  tracepoint: 'tracepoint',
  t: 'tracepoint',
} as const satisfies Record<string, ProbeKind>;

export const KINDS_HINT =
  'kinds are kprobe (k:), kretprobe (kr:), uprobe (u:), uretprobe (ur:), tracepoint (t:), or a raw kernel line starting with p or r';

export function probeKindOf(word: string): ProbeKind | null {
  return Object.hasOwn(PROBE_KINDS, word) ? PROBE_KINDS[word as keyof typeof PROBE_KINDS] : null;
}
