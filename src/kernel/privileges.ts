/** Who we are, from /proc/self/status: effective uid and capabilities. */

/** Capability bit numbers (include/uapi/linux/capability.h). */
export const CAPABILITY_BITS = {
  CAP_SYS_ADMIN: 21,
  CAP_PERFMON: 38,
  CAP_BPF: 39,
} as const satisfies Record<string, number>;

export interface Privileges {
  /** Effective uid, or null when the status text had no Uid line. */
  readonly euid: number | null;
  /** Effective capability mask. */
  readonly capEff: bigint;
  readonly root: boolean;
  readonly sysAdmin: boolean;
  readonly perfmon: boolean;
  readonly bpf: boolean;
  /** May write tracefs and load probes: root or CAP_SYS_ADMIN. */
  readonly canTrace: boolean;
}

function hasCap(mask: bigint, bit: number): boolean {
  return ((mask >> BigInt(bit)) & 1n) === 1n;
}

/** Parses the `Uid:` and `CapEff:` lines of a /proc/PID/status text. */
export function privilegesFromStatus(status: string): Privileges {
  const uid = /^Uid:\s+(\d+)\s+(\d+)/m.exec(status);
  const cap = /^CapEff:\s+([0-9a-fA-F]+)/m.exec(status);
  const euid = uid?.[2] !== undefined ? Number(uid[2]) : null;
  const capEff = cap?.[1] !== undefined ? BigInt(`0x${cap[1]}`) : 0n;
  const sysAdmin = hasCap(capEff, CAPABILITY_BITS.CAP_SYS_ADMIN);
  return {
    euid,
    capEff,
    root: euid === 0,
    sysAdmin,
    perfmon: hasCap(capEff, CAPABILITY_BITS.CAP_PERFMON),
    bpf: hasCap(capEff, CAPABILITY_BITS.CAP_BPF),
    canTrace: sysAdmin,
  };
}
