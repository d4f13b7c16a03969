/**
 * BPF feature probes as a table: feature → the kernel that added it and a
 * probe that tries it. Results are cached; a missing feature raises an
 * UnsupportedError naming it.
 */
import { constants } from 'node:os';
import { UnsupportedError } from '../errors.js';
import { exit, mov64 } from './insn/builder.js';
import { encode } from './insn/encode.js';
import { mapCreate } from './sys/bpf.js';
import { LinkCreateAttr, ProgLoadAttr, pack } from './sys/layout.js';
import { AttachType, BpfCmd, MapType, PERF_MAX_STACK_DEPTH, ProgType } from './sys/numbers.js';
import { addressOf, pageSize, sysBpf, sysClose } from './sys/syscall.js';

function tryMap(type: number, key: number, value: number, entries: number): boolean {
  try {
    sysClose(
      mapCreate({
        type,
        keySize: key,
        valueSize: value,
        maxEntries: entries,
        name: 'probekit_probe',
      }),
    );
    return true;
  } catch {
    return false;
  }
}

/** Loads `r0 = 0; exit` as a program of this type: its fd, or -errno. */
function loadTrivialProg(type: number, flags = 0): number {
  const insns = encode([mov64('r0', 0), exit()]);
  const license = new TextEncoder().encode('GPL\0');
  return sysBpf(
    BpfCmd.PROG_LOAD,
    pack(ProgLoadAttr, {
      prog_type: type,
      insn_cnt: 2,
      insns: addressOf(insns),
      license: addressOf(license),
      prog_flags: flags,
    }),
  );
}

function tryProg(type: number, flags = 0): boolean {
  const fd = loadTrivialProg(type, flags);
  if (fd < 0) return false;
  sysClose(fd);
  return true;
}

/**
 * BPF links on perf events (LINK_CREATE with BPF_PERF_EVENT, 5.15), probed as
 * libbpf does: a link to fd -1 fails with EBADF where the kernel knows the
 * attach type and with EINVAL where it does not.
 */
function tryPerfLink(): boolean {
  const prog = loadTrivialProg(ProgType.tracepoint);
  if (prog < 0) return false;
  try {
    const link = sysBpf(
      BpfCmd.LINK_CREATE,
      pack(LinkCreateAttr, { prog_fd: prog, target_fd: -1, attach_type: AttachType.perf_event }),
    );
    if (link >= 0) {
      sysClose(link);
      return true;
    }
    return link === -constants.errno.EBADF;
  } finally {
    sysClose(prog);
  }
}

export const FEATURES = {
  bpf_syscall: { since: '3.18', probe: () => tryMap(MapType.array, 4, 8, 1) },
  tracepoint_prog: { since: '4.7', probe: () => tryProg(ProgType.tracepoint) },
  kprobe_prog: { since: '4.1', probe: () => tryProg(ProgType.kprobe) },
  ringbuf: { since: '5.8', probe: () => tryMap(MapType.ringbuf, 0, 0, pageSize()) },
  /** Sleepable kprobe-type programs, for uprobes (BPF_F_SLEEPABLE): they may fault user pages in. */
  sleepable_uprobe: { since: '5.19', probe: () => tryProg(ProgType.kprobe, 1 << 4) },
  lru_hash: { since: '4.10', probe: () => tryMap(MapType.lru_hash, 4, 8, 1) },
  /** Stack trace maps for bpf_get_stackid (needs CONFIG_PERF_EVENTS). */
  stack_trace: {
    since: '4.6',
    probe: () => tryMap(MapType.stack_trace, 4, 8 * PERF_MAX_STACK_DEPTH, 1),
  },
  /** BPF links for kprobe, uprobe and tracepoint perf events (else PERF_EVENT_IOC_SET_BPF). */
  perf_link: { since: '5.15', probe: tryPerfLink },
} as const satisfies Record<string, { since: string; probe: () => boolean }>;

export type FeatureName = keyof typeof FEATURES;

const cache = new Map<FeatureName, boolean>();

export function hasFeature(f: FeatureName): boolean {
  let v = cache.get(f);
  if (v === undefined) {
    v = FEATURES[f].probe();
    cache.set(f, v);
  }
  return v;
}

export function requireFeature(f: FeatureName): void {
  if (!hasFeature(f)) {
    throw new UnsupportedError(
      `bpf:${f}`,
      `this kernel lacks BPF feature ${f} (added in Linux ${FEATURES[f].since})`,
      {
        hint: 'needs root (or CAP_BPF) and a kernel with this feature',
      },
    );
  }
}
