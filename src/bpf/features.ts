/**
 * BPF feature probes as a table: feature → the kernel that added it and a
 * probe that tries it. Results are cached; a missing feature raises an
 * UnsupportedError naming it.
 */
import { UnsupportedError } from '../errors.js';
import { exit, mov64 } from './insn/builder.js';
import { encode } from './insn/encode.js';
import { mapCreate } from './sys/bpf.js';
import { ProgLoadAttr, pack } from './sys/layout.js';
import { BpfCmd, MapType, ProgType } from './sys/numbers.js';
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

function tryProg(type: number, flags = 0): boolean {
  const insns = encode([mov64('r0', 0), exit()]);
  const license = new TextEncoder().encode('GPL\0');
  const fd = sysBpf(
    BpfCmd.PROG_LOAD,
    pack(ProgLoadAttr, {
      prog_type: type,
      insn_cnt: 2,
      insns: addressOf(insns),
      license: addressOf(license),
      prog_flags: flags,
    }),
  );
  if (fd < 0) return false;
  sysClose(fd);
  return true;
}

export const FEATURES = {
  bpf_syscall: { since: '3.18', probe: () => tryMap(MapType.array, 4, 8, 1) },
  tracepoint_prog: { since: '4.7', probe: () => tryProg(ProgType.tracepoint) },
  kprobe_prog: { since: '4.1', probe: () => tryProg(ProgType.kprobe) },
  ringbuf: { since: '5.8', probe: () => tryMap(MapType.ringbuf, 0, 0, pageSize()) },
  /** Sleepable kprobe-type programs, for uprobes (BPF_F_SLEEPABLE): they may fault user pages in. */
  sleepable_uprobe: { since: '5.19', probe: () => tryProg(ProgType.kprobe, 1 << 4) },
  lru_hash: { since: '4.10', probe: () => tryMap(MapType.lru_hash, 4, 8, 1) },
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
