/**
 * Typed bpf(2) commands: pack the attr, call, turn -errno into an error that
 * names the command and what was passed. bpf() fds are always O_CLOEXEC.
 */

import { constants } from 'node:os';
import { syscallError } from './errno.js';
import {
  type FieldValues,
  InfoByFdAttr,
  type Layout,
  LinkCreateAttr,
  MapCreateAttr,
  MapElemAttr,
  pack,
  RawTracepointAttr,
} from './layout.js';
import { BpfCmd } from './numbers.js';
import { addressOf, sysBpf } from './syscall.js';

const { EINVAL, ENOENT, EOPNOTSUPP } = constants.errno;
/** ENOTSUPP: the kernel-internal errno some map types return for commands they lack. */
const ENOTSUPP = 524;

/** Run a command; returns the result or -errno (for callers that handle errnos themselves). */
export function bpfRaw<L extends Layout>(cmd: number, layout: L, values: FieldValues<L>): number {
  return sysBpf(cmd, pack(layout, values));
}

function check(what: string, r: number, passed: Record<string, unknown>, hint?: string): number {
  if (r < 0) throw syscallError(what, -r, passed, hint);
  return r;
}

export interface MapCreateArgs {
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  flags?: number;
  name: string;
}

export function mapCreate(a: MapCreateArgs): number {
  const r = bpfRaw(BpfCmd.MAP_CREATE, MapCreateAttr, {
    map_type: a.type,
    key_size: a.keySize,
    value_size: a.valueSize,
    max_entries: a.maxEntries,
    map_flags: a.flags ?? 0,
    map_name: a.name,
  });
  return check('bpf(BPF_MAP_CREATE)', r, {
    map_type: a.type,
    key_size: a.keySize,
    value_size: a.valueSize,
    max_entries: a.maxEntries,
    map_flags: a.flags ?? 0,
    name: a.name,
  });
}

/** Returns true when found (value filled), false on ENOENT. */
export function mapLookup(fd: number, key: Uint8Array, value: Uint8Array): boolean {
  const r = bpfRaw(BpfCmd.MAP_LOOKUP_ELEM, MapElemAttr, {
    map_fd: fd,
    key: addressOf(key),
    value: addressOf(value),
  });
  if (r === -ENOENT) return false;
  check('bpf(BPF_MAP_LOOKUP_ELEM)', r, { map_fd: fd, key_size: key.length });
  return true;
}

export function mapUpdate(fd: number, key: Uint8Array, value: Uint8Array, flags: number): void {
  const r = bpfRaw(BpfCmd.MAP_UPDATE_ELEM, MapElemAttr, {
    map_fd: fd,
    key: addressOf(key),
    value: addressOf(value),
    flags,
  });
  check('bpf(BPF_MAP_UPDATE_ELEM)', r, { map_fd: fd, key_size: key.length, flags });
}

/** Returns false when the key was absent. */
export function mapDelete(fd: number, key: Uint8Array): boolean {
  const r = bpfRaw(BpfCmd.MAP_DELETE_ELEM, MapElemAttr, { map_fd: fd, key: addressOf(key) });
  if (r === -ENOENT) return false;
  check('bpf(BPF_MAP_DELETE_ELEM)', r, { map_fd: fd });
  return true;
}

/**
 * Copies the value out and removes the key in one step. Returns 'absent' when
 * the key is not there and 'unsupported' on kernels or map types without the
 * command (hash maps before 5.14), for the caller to fall back on.
 */
export function mapLookupAndDelete(
  fd: number,
  key: Uint8Array,
  value: Uint8Array,
): 'taken' | 'absent' | 'unsupported' {
  const r = bpfRaw(BpfCmd.MAP_LOOKUP_AND_DELETE_ELEM, MapElemAttr, {
    map_fd: fd,
    key: addressOf(key),
    value: addressOf(value),
  });
  if (r === -ENOENT) return 'absent';
  if (r === -EINVAL || r === -EOPNOTSUPP || r === -ENOTSUPP) return 'unsupported';
  check('bpf(BPF_MAP_LOOKUP_AND_DELETE_ELEM)', r, { map_fd: fd, key_size: key.length });
  return 'taken';
}

/** Fills `next` with the key after `key` (or the first key when key is null); false at the end. */
export function mapNextKey(fd: number, key: Uint8Array | null, next: Uint8Array): boolean {
  const r = bpfRaw(BpfCmd.MAP_GET_NEXT_KEY, MapElemAttr, {
    map_fd: fd,
    key: key === null ? 0n : addressOf(key),
    value: addressOf(next),
  });
  if (r === -ENOENT) return false;
  check('bpf(BPF_MAP_GET_NEXT_KEY)', r, { map_fd: fd });
  return true;
}

/** BPF_LINK_CREATE with BPF_PERF_EVENT; returns the link fd or -errno. */
export function linkCreatePerfEvent(
  progFd: number,
  perfFd: number,
  attachType: number,
  cookie = 0n,
): number {
  return bpfRaw(BpfCmd.LINK_CREATE, LinkCreateAttr, {
    prog_fd: progFd,
    target_fd: perfFd,
    attach_type: attachType,
    bpf_cookie: cookie,
  });
}

/** BPF_RAW_TRACEPOINT_OPEN; returns the link fd. */
export function rawTracepointOpen(name: string, progFd: number): number {
  const cname = new TextEncoder().encode(`${name}\0`);
  const r = bpfRaw(BpfCmd.RAW_TRACEPOINT_OPEN, RawTracepointAttr, {
    name: addressOf(cname),
    prog_fd: progFd,
  });
  return check(
    `bpf(BPF_RAW_TRACEPOINT_OPEN) for ${name}`,
    r,
    { name, prog_fd: progFd },
    r === -ENOENT ? `no raw tracepoint named "${name}"` : undefined,
  );
}

/** OBJ_GET_INFO_BY_FD into a buffer of the info struct's size. */
export function objInfo(fd: number, size: number): Uint8Array {
  const info = new Uint8Array(size);
  const r = bpfRaw(BpfCmd.OBJ_GET_INFO_BY_FD, InfoByFdAttr, {
    bpf_fd: fd,
    info_len: size,
    info: addressOf(info),
  });
  check('bpf(BPF_OBJ_GET_INFO_BY_FD)', r, { bpf_fd: fd, info_len: size });
  return info;
}
