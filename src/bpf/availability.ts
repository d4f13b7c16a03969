/** Whether BPF can run here, and if not, why, in words for the user. */
import { hasFeature } from './features.js';

export interface BpfNeeds {
  /** The BPF ring buffer (Linux 5.8+), which the trace backend streams events through. */
  readonly ringbuf?: boolean;
}

/**
 * Why BPF cannot run here, or null when it can: the bpf() syscall must be
 * allowed (root, or CAP_BPF with CAP_PERFMON) and the kernel must load
 * tracepoint and kprobe-type (kprobe, uprobe) programs.
 */
export function whyNoBpf(needs: BpfNeeds = {}): string | null {
  try {
    if (process.platform !== 'linux') return 'BPF needs Linux';
    if (!hasFeature('bpf_syscall'))
      return 'the bpf() syscall is refused (needs root, or CAP_BPF and CAP_PERFMON)';
    if (!hasFeature('tracepoint_prog')) return 'this kernel cannot load BPF tracepoint programs';
    if (!hasFeature('kprobe_prog')) return 'this kernel cannot load BPF kprobe and uprobe programs';
    if (needs.ringbuf && !hasFeature('ringbuf'))
      return 'this kernel has no BPF ring buffer (Linux 5.8+)';
    return null;
  } catch (e) {
    return `BPF could not be probed: ${(e as Error).message}`;
  }
}

/** True when whyNoBpf() has nothing against it. */
export function bpfAvailable(): boolean {
  return whyNoBpf() === null;
}
