/**
 * Where the kernel publishes the facts probekit reads. Only defaults: every
 * loader takes the path as a parameter so tests can point it at fixtures.
 * tracefs and debugfs are never assumed; they are looked up in /proc/mounts.
 */
export const KERNEL_PATHS = {
  mounts: '/proc/mounts',
  filesystems: '/proc/filesystems',
  kallsyms: '/proc/kallsyms',
  status: '/proc/self/status',
  osrelease: '/proc/sys/kernel/osrelease',
  unprivilegedBpfDisabled: '/proc/sys/kernel/unprivileged_bpf_disabled',
  configGz: '/proc/config.gz',
  /** `/boot/config-<release>`: the release is appended. */
  bootConfigPrefix: '/boot/config-',
  btfVmlinux: '/sys/kernel/btf/vmlinux',
  kprobePmuType: '/sys/bus/event_source/devices/kprobe/type',
  uprobePmuType: '/sys/bus/event_source/devices/uprobe/type',
  /** Where we mount tracefs when nothing has (the kernel creates this directory). */
  tracefsMountPoint: '/sys/kernel/tracing',
  /** Where we mount debugfs when the kprobe blacklist is needed. */
  debugfsMountPoint: '/sys/kernel/debug',
} as const satisfies Record<string, string>;
