/** Why a feature is missing, in words a user can act on. */
import type { KernelConfig } from './config.js';

/**
 * Why tracefs has no `kprobe_events`. Quotes the config line when the kernel
 * config is readable, e.g.
 * "this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs; /proc/config.gz says '# CONFIG_KPROBES is not set')".
 */
export function kprobesMissingReason(config: KernelConfig | null = null): string {
  const kprobes = config?.get('CONFIG_KPROBES');
  const events = config?.get('CONFIG_KPROBE_EVENTS');
  if (
    config &&
    kprobes !== undefined &&
    kprobes !== 'n' &&
    (events === undefined || events === 'n')
  ) {
    const line = config.line('CONFIG_KPROBE_EVENTS') ?? 'no CONFIG_KPROBE_EVENTS line';
    return `this kernel has kprobes but was built without CONFIG_KPROBE_EVENTS (no kprobe_events in tracefs; ${config.source} says '${line}')`;
  }
  const base = 'this kernel was built without CONFIG_KPROBES (no kprobe_events in tracefs';
  const line = config?.line('CONFIG_KPROBES');
  if (config && line !== undefined) return `${base}; ${config.source} says '${line}')`;
  return `${base})`;
}

/** What to use instead of kprobes, one line. */
export const KPROBE_ALTERNATIVES =
  'use tracepoints (t:GROUP:EVENT; see probekit list --tracepoints) or uprobes (u:PATH:SYMBOL), or boot a kernel built with CONFIG_KPROBES=y and CONFIG_KPROBE_EVENTS=y';
