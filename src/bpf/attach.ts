/**
 * Attach a loaded program: tracepoints, uprobes/uretprobes and kprobes/kretprobes
 * through perf events, raw tracepoints through BPF_RAW_TRACEPOINT_OPEN. A BPF
 * link is used when the kernel offers one (5.15+), else PERF_EVENT_IOC_SET_BPF.
 * The returned Attachment owns every fd; close() releases them all.
 */
import { constants } from 'node:os';
import { UsageError } from '../errors.js';
import { cstr, DISABLED, perfEventOpen, perfIoctl } from './perf-event.js';
import { type PmuName, pmuType, retprobeBit } from './pmu.js';
import type { Program } from './prog.js';
import { linkCreatePerfEvent, objInfo, rawTracepointOpen } from './sys/bpf.js';
import { syscallError } from './sys/errno.js';
import { LinkInfo, readField } from './sys/layout.js';
import { AttachType, PerfIoctl, PerfType, type ProgTypeName } from './sys/numbers.js';
import { sysClose } from './sys/syscall.js';
import { tracepointId } from './tracefs-path.js';

export type AttachTarget =
  | { readonly kind: 'tracepoint'; readonly group: string; readonly event: string }
  | { readonly kind: 'raw_tracepoint'; readonly name: string }
  | {
      readonly kind: 'uprobe' | 'uretprobe';
      readonly path: string;
      /** File offset of the probed instruction. */
      readonly offset: bigint;
      /** Only this process (default: every process). */
      readonly pid?: number;
    }
  | {
      readonly kind: 'kprobe' | 'kretprobe';
      /** A symbol with an optional offset, or an absolute address. */
      readonly symbol?: string;
      readonly offset?: bigint;
      readonly address?: bigint;
    };

const PROG_FOR = {
  tracepoint: 'tracepoint',
  raw_tracepoint: 'raw_tracepoint',
  uprobe: 'kprobe',
  uretprobe: 'kprobe',
  kprobe: 'kprobe',
  kretprobe: 'kprobe',
} as const satisfies Record<AttachTarget['kind'], ProgTypeName>;

/** The program type a target needs. */
export function progTypeFor(target: AttachTarget): ProgTypeName {
  return PROG_FOR[target.kind];
}

/** Everything one attach created. */
export class Attachment {
  readonly target: AttachTarget;
  /** perf event fd, if any. */
  readonly perfFd: number | undefined;
  /** BPF link fd (LINK_CREATE or raw tracepoint), if any. */
  readonly linkFd: number | undefined;
  /** How the program was attached. */
  readonly method: 'link' | 'ioctl' | 'raw_tracepoint';
  #closed = false;

  constructor(
    target: AttachTarget,
    perfFd: number | undefined,
    linkFd: number | undefined,
    method: Attachment['method'],
  ) {
    this.target = target;
    this.perfFd = perfFd;
    this.linkFd = linkFd;
    this.method = method;
  }

  /** The BPF link's id (as `bpftool link list` shows it), when attached through a link. */
  linkId(): number | undefined {
    if (this.linkFd === undefined) return undefined;
    return Number(readField(LinkInfo, objInfo(this.linkFd, LinkInfo.size), 'id'));
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.linkFd !== undefined) sysClose(this.linkFd);
    if (this.perfFd !== undefined) {
      // Disabling first stops the program before the fd goes away.
      if (this.method === 'ioctl') disableQuietly(this.perfFd);
      sysClose(this.perfFd);
    }
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

function disableQuietly(fd: number): void {
  try {
    perfIoctl(fd, PerfIoctl.DISABLE, 0, 'PERF_EVENT_IOC_DISABLE');
  } catch {
    // Closing the fd detaches anyway.
  }
}

let linkWorks: boolean | undefined;

/** Attach `prog` to the perf event `fd` (owned by the result from here on). */
function attachPerf(
  prog: Program,
  fd: number,
  target: AttachTarget,
  opts: AttachOptions,
): Attachment {
  try {
    if (linkWorks !== false && opts.method !== 'ioctl') {
      const l = linkCreatePerfEvent(prog.fd, fd, AttachType.perf_event);
      if (l >= 0) {
        linkWorks = true;
        perfIoctl(fd, PerfIoctl.ENABLE, 0, 'PERF_EVENT_IOC_ENABLE');
        return new Attachment(target, fd, l, 'link');
      }
      // EINVAL, EOPNOTSUPP or the kernel's ENOTSUPP (524): no perf links here; anything else is real.
      if (l !== -constants.errno.EINVAL && l !== -constants.errno.EOPNOTSUPP && l !== -524) {
        throw syscallError(`bpf(BPF_LINK_CREATE) for ${describe(target)}`, -l, {
          prog_fd: prog.fd,
          target_fd: fd,
        });
      }
      linkWorks = false;
    }
    perfIoctl(fd, PerfIoctl.SET_BPF, prog.fd, `PERF_EVENT_IOC_SET_BPF for ${describe(target)}`);
    perfIoctl(fd, PerfIoctl.ENABLE, 0, 'PERF_EVENT_IOC_ENABLE');
    return new Attachment(target, fd, undefined, 'ioctl');
  } catch (e) {
    sysClose(fd);
    throw e;
  }
}

export function describe(t: AttachTarget): string {
  switch (t.kind) {
    case 'tracepoint':
      return `tracepoint ${t.group}:${t.event}`;
    case 'raw_tracepoint':
      return `raw tracepoint ${t.name}`;
    case 'uprobe':
    case 'uretprobe':
      return `${t.kind} ${t.path}:0x${t.offset.toString(16)}`;
    case 'kprobe':
    case 'kretprobe':
      return `${t.kind} ${t.symbol ?? `0x${(t.address ?? 0n).toString(16)}`}${t.offset ? `+0x${t.offset.toString(16)}` : ''}`;
  }
}

function probePmu(
  prog: Program,
  pmu: PmuName,
  ret: boolean,
  config1: [Uint8Array, bigint] | null,
  config2: bigint,
  pid: number,
  target: AttachTarget,
  opts: AttachOptions,
): Attachment {
  const fd = perfEventOpen({
    what: describe(target),
    attr: {
      type: pmuType(pmu),
      config: ret ? 1n << BigInt(retprobeBit(pmu)) : 0n,
      config1: config1 ? config1[1] : 0n,
      config2,
      sample_period: 1n,
      wakeup_events: 1,
      flags: DISABLED,
    },
    keep: config1 ? [config1[0]] : [],
    pid,
    cpu: pid === -1 ? 0 : -1,
  });
  return attachPerf(prog, fd, target, opts);
}

export interface AttachOptions {
  /** 'ioctl' skips BPF links (as on kernels before 5.15); default: a link when possible. */
  readonly method?: 'auto' | 'ioctl';
}

/** Attach a loaded program to a target; the program's type must suit the target. */
export function attach(prog: Program, target: AttachTarget, opts: AttachOptions = {}): Attachment {
  const want = PROG_FOR[target.kind];
  if (prog.type !== want) {
    throw new UsageError(
      'E_BPF_ATTACH_TYPE',
      `a ${prog.type} program cannot attach to a ${target.kind} (needs a ${want} program)`,
    );
  }
  switch (target.kind) {
    case 'tracepoint': {
      const fd = perfEventOpen({
        what: describe(target),
        attr: {
          type: PerfType.tracepoint,
          config: BigInt(tracepointId(target.group, target.event)),
          sample_period: 1n,
          wakeup_events: 1,
          flags: DISABLED,
        },
        pid: -1,
        cpu: 0,
      });
      return attachPerf(prog, fd, target, opts);
    }
    case 'raw_tracepoint':
      return new Attachment(
        target,
        undefined,
        rawTracepointOpen(target.name, prog.fd),
        'raw_tracepoint',
      );
    case 'uprobe':
    case 'uretprobe':
      return probePmu(
        prog,
        'uprobe',
        target.kind === 'uretprobe',
        cstr(target.path),
        target.offset,
        target.pid ?? -1,
        target,
        opts,
      );
    case 'kprobe':
    case 'kretprobe': {
      const ret = target.kind === 'kretprobe';
      if (target.symbol !== undefined) {
        return probePmu(
          prog,
          'kprobe',
          ret,
          cstr(target.symbol),
          target.offset ?? 0n,
          -1,
          target,
          opts,
        );
      }
      if (target.address === undefined) {
        throw new UsageError('E_BPF_ATTACH_TARGET', 'a kprobe needs a symbol or an address');
      }
      return probePmu(prog, 'kprobe', ret, null, target.address, -1, target, opts);
    }
  }
}
