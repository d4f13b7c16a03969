/**
 * Count events by key in a hash map, in the kernel (funccount, syscount).
 * Key: the process id (u32 tgid), the task name (16 bytes) or a u64 context
 * value; value: a u64 counter incremented atomically. A key inserted by two
 * CPUs at once is retried, so no event is lost.
 *
 * Stack: fp-16..fp-1 key (up to 16 bytes), fp-24 the initial value 1.
 */
import {
  add64,
  atomic,
  call,
  ja,
  jeq64,
  jne64,
  label,
  ldMapFd,
  mov64,
  rsh64,
  st,
} from '../insn/builder.js';
import type { Insn } from '../insn/types.js';
import type { CtxScalar } from './context.js';
import { processFilter } from './process.js';
import { loadScalar, returnZero } from './snippets.js';

export type CountKey =
  | { readonly by: 'pid' }
  | { readonly by: 'comm' }
  | { readonly by: 'value'; readonly value: CtxScalar };

/** Bytes of the map key for each key kind. */
export function countKeySize(key: CountKey): 4 | 8 | 16 {
  return key.by === 'pid' ? 4 : key.by === 'comm' ? 16 : 8;
}

export interface CountProgramOptions {
  readonly mapFd: number;
  readonly key: CountKey;
  /** Count only events of this process. */
  readonly tgid?: number;
}

const KEY = -16;
const ONE = -24;

function buildKey(key: CountKey): Insn[] {
  switch (key.by) {
    case 'pid':
      return [call('get_current_pid_tgid'), rsh64('r0', 32), st(4, 'r10', KEY, 'r0')];
    case 'comm':
      return [mov64('r1', 'r10'), add64('r1', KEY), mov64('r2', 16), call('get_current_comm')];
    case 'value':
      return [...loadScalar('r1', 'r6', key.value), st(8, 'r10', KEY, 'r1')];
  }
}

function lookup(mapFd: number): Insn[] {
  return [ldMapFd('r1', mapFd), mov64('r2', 'r10'), add64('r2', KEY), call('map_lookup_elem')];
}

export function countProgram(o: CountProgramOptions): Insn[] {
  return [
    mov64('r6', 'r1'),
    ...processFilter({ tgid: o.tgid }, 'out'),
    ...buildKey(o.key),
    ...lookup(o.mapFd),
    jeq64('r0', 0, 'insert'),
    label('add'),
    mov64('r1', 1),
    atomic('add', 8, 'r0', 0, 'r1'),
    ja('out'),
    label('insert'),
    st(8, 'r10', ONE, 1),
    ldMapFd('r1', o.mapFd),
    mov64('r2', 'r10'),
    add64('r2', KEY),
    mov64('r3', 'r10'),
    add64('r3', ONE),
    mov64('r4', 1), // BPF_NOEXIST
    call('map_update_elem'),
    jeq64('r0', 0, 'out'),
    // Another CPU inserted the key first: add to its counter.
    ...lookup(o.mapFd),
    jne64('r0', 0, 'add'),
    label('out'),
    ...returnZero(),
  ];
}
