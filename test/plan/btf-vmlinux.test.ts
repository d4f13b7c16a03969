/**
 * The planner with this machine's kernel BTF (/sys/kernel/btf/vmlinux); offsets
 * are checked against bpftool's dump of the same file as an independent reading.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { btfPlanHooks, syscallArgsFor } from '../../src/api/prototypes.js';
import { hostArch } from '../../src/arch/index.js';
import { loadKernelBtf } from '../../src/btf/index.js';
import { SpecError } from '../../src/errors.js';
import type { PlanOptions } from '../../src/plan/types.js';
import { bpftoolDump, type RawType } from '../btf/helpers/bpftool.js';
import { GROUP, planTexts } from './helpers.js';

const VMLINUX = '/sys/kernel/btf/vmlinux';
const haveBtf = existsSync(VMLINUX);
const onX86 = hostArch().name === 'x86_64';
const SKIP_BTF = 'needs kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF)';

function hooks(): Partial<PlanOptions> {
  return btfPlanHooks(loadKernelBtf());
}

/** bpftool's raw dump indexed by id, or null without bpftool. */
function raw(): Map<number, RawType> | null {
  const types = bpftoolDump(VMLINUX);
  return types ? new Map(types.map((t) => [t.id, t])) : null;
}

/** Byte offset of `member` in the complete struct `name`, through anonymous members (bpftool's data). */
function offsetOf(types: Map<number, RawType>, name: string, member: string): number {
  const struct = [...types.values()].find(
    (t) => t.kind === 'STRUCT' && t.name === name && t.members.length > 0,
  );
  assert.ok(struct, `bpftool lists struct ${name}`);
  const bits = find(types, struct, member);
  assert.ok(bits !== null && bits % 8 === 0, `${name}.${member} found on a byte boundary`);
  return bits / 8;
}

function find(types: Map<number, RawType>, t: RawType, member: string): number | null {
  for (const m of t.members) if (m.name === member) return m.bitsOffset;
  for (const m of t.members) {
    if (m.name !== '') continue;
    let inner = types.get(m.typeId);
    while (
      inner &&
      (inner.kind === 'TYPEDEF' || inner.kind === 'CONST' || inner.kind === 'VOLATILE')
    )
      inner = types.get(Number(inner.attrs['type_id']));
    if (!inner || (inner.kind !== 'STRUCT' && inner.kind !== 'UNION')) continue;
    const b = find(types, inner, member);
    if (b !== null) return m.bitsOffset + b;
  }
  return null;
}

/** Bit offset and width of a bitfield member (through anonymous members). */
function bitfieldOf(types: Map<number, RawType>, name: string, member: string) {
  const struct = [...types.values()].find(
    (t) => t.kind === 'STRUCT' && t.name === name && t.members.length > 0,
  )!;
  const walk = (t: RawType, base: number): { bits: number; width: number } | null => {
    for (const m of t.members) {
      if (m.name === member) return { bits: base + m.bitsOffset, width: m.bitfieldSize };
    }
    for (const m of t.members) {
      const inner = types.get(m.typeId);
      if (m.name !== '' || !inner || (inner.kind !== 'STRUCT' && inner.kind !== 'UNION')) continue;
      const r = walk(inner, base + m.bitsOffset);
      if (r) return r;
    }
    return null;
  };
  return walk(struct, 0);
}

test('vmlinux: vfs_read names match by name in any order and are typed', (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  if (!onX86) return t.skip('the expected registers are x86_64 ones');
  const p = planTexts(['k:vfs_read(count, file)'], 'x86_64', hooks());
  assert.equal(
    p.probes[0]?.definition,
    `p:${GROUP}/p_vfs_read_0 vfs_read count=%dx:u64 file=%di:x64`,
  );
  assert.throws(
    () => planTexts(['k:vfs_read(file, len)'], 'x86_64', hooks()),
    (e: unknown) =>
      e instanceof SpecError &&
      e.code === 'E_PLAN_UNKNOWN_PARAM' &&
      e.hint === 'its parameters are: file, buf, count, pos' &&
      e.column === 17,
  );
  const all = planTexts(['k:vfs_read'], 'x86_64', hooks()).probes[0]?.args;
  assert.deepEqual(
    all?.map((a) => a.token),
    ['file=%di:x64', 'buf=+0(%si):string', 'count=%dx:u64', 'pos=%cx:x64'],
  );
});

test('vmlinux: file->f_path.dentry->d_name.name:string uses the offsets bpftool shows', (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  if (!onX86) return t.skip('the expected registers are x86_64 ones');
  const types = raw();
  if (!types) return t.skip('needs bpftool (apt-get install bpftool) as the independent reference');
  const dentryAt = offsetOf(types, 'file', 'f_path') + offsetOf(types, 'path', 'dentry');
  const nameAt = offsetOf(types, 'dentry', 'd_name') + offsetOf(types, 'qstr', 'name');
  const p = planTexts(
    ['k:vfs_read(file->f_path.dentry->d_name.name:string, count)'],
    'x86_64',
    hooks(),
  );
  assert.equal(
    p.probes[0]?.definition,
    `p:${GROUP}/p_vfs_read_0 vfs_read file_f_path_dentry_d_name_name=+0(+${nameAt}(+${dentryAt}(%di))):string count=%dx:u64`,
  );
  // Width and signedness of a plain member: loff_t f_pos is s64.
  const pos = offsetOf(types, 'file', 'f_pos');
  assert.equal(
    planTexts(['k:vfs_read(file->f_pos)'], 'x86_64', hooks()).probes[0]?.args[0]?.token,
    `file_f_pos=+${pos}(%di):s64`,
  );
});

test('vmlinux: a bitfield (sk_buff pkt_type) is read on its container with b<w>@<o>/<c>', (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  if (!onX86) return t.skip('the expected registers are x86_64 ones');
  const types = raw();
  if (!types) return t.skip('needs bpftool as the independent reference');
  const bf = bitfieldOf(types, 'sk_buff', 'pkt_type');
  assert.ok(bf && bf.width === 3, 'bpftool: pkt_type is a 3-bit field');
  const a = planTexts(['k:tcp_v4_rcv(skb->pkt_type)'], 'x86_64', hooks()).probes[0]?.args[0];
  const m = /^\+(\d+)\(%di\):b(\d+)@(\d+)\/(\d+)$/.exec(a?.fetch ?? '');
  assert.ok(m, `a bitfield fetch, got ${a?.fetch}`);
  const [offset, width, bit] = [Number(m[1]), Number(m[2]), Number(m[3])];
  assert.equal(width, 3);
  assert.equal(
    offset * 8 + bit,
    bf.bits,
    'container offset and bit offset land on the field (little endian)',
  );
});

test('vmlinux: a missing member lists the real ones, caret on the element', (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  const text = 'k:vfs_read(file->f_path.dentry->d_nam)';
  assert.throws(
    () => planTexts([text], hostArch().name, hooks()),
    (e: unknown) =>
      e instanceof SpecError &&
      e.code === 'E_BTF_NO_MEMBER' &&
      e.column === text.indexOf('->d_nam') &&
      /\bd_name\b/.test(e.hint ?? ''),
  );
});

test('vmlinux: retval types and errno marks; void refuses retval', (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  const arch = hostArch().name;
  const r = planTexts(['kr:vfs_read', 'kr:do_sys_openat2(retval)'], arch, hooks()).probes;
  assert.deepEqual(
    r.map((p) => [p.args[0]?.token, p.args[0]?.errno]),
    [
      ['retval=$retval:s64', true],
      ['retval=$retval:s32', true],
    ],
  );
  assert.throws(
    () => planTexts(['kr:consume_skb(retval)'], arch, hooks()),
    (e: unknown) => e instanceof SpecError && e.code === 'E_PLAN_VOID_RETVAL',
  );
});

test('vmlinux + tracefs: __x64_sys_openat(dfd, filename) reads the syscall arguments through pt_regs', async (t) => {
  if (!haveBtf) return t.skip(SKIP_BTF);
  if (!onX86) return t.skip('__x64_sys_* wrappers are x86_64');
  const fmt = '/sys/kernel/tracing/events/syscalls/sys_enter_openat/format';
  if (!existsSync(fmt))
    return t.skip(`needs ${fmt} (syscall tracepoints in a mounted tracefs, as root)`);
  const types = raw();
  if (!types) return t.skip('needs bpftool as the independent reference');
  const btf = loadKernelBtf();
  const syscalls = await syscallArgsFor(btf, ['__x64_sys_openat'], 'x86_64', '/sys/kernel/tracing');
  const p = planTexts(
    ['k:__x64_sys_openat(dfd, filename:ustring, mode)'],
    'x86_64',
    btfPlanHooks(btf, syscalls),
  ).probes[0];
  const di = offsetOf(types, 'pt_regs', 'di');
  const si = offsetOf(types, 'pt_regs', 'si');
  const r10 = offsetOf(types, 'pt_regs', 'r10');
  assert.equal(
    p?.definition,
    `p:${GROUP}/p_x64_sys_openat_0 __x64_sys_openat dfd=+${di}(%di):s32 filename=+0(+${si}(%di)):ustring mode=+${r10}(%di):u16`,
  );
});
