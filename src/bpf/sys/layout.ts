/**
 * Kernel structures as data: each field's offset and size (bytes; 0 < size ≤ 8
 * are integers, larger sizes are byte arrays such as names). Packed with
 * DataView, little-endian (x86_64, arm64, riscv64, loongarch64).
 */

export interface Field {
  readonly offset: number;
  readonly size: number;
}
export type Layout = { readonly size: number; readonly fields: Readonly<Record<string, Field>> };

const f = (offset: number, size: number): Field => ({ offset, size });

/** union bpf_attr, MAP_CREATE variant. */
export const MapCreateAttr = {
  size: 72,
  fields: {
    map_type: f(0, 4),
    key_size: f(4, 4),
    value_size: f(8, 4),
    max_entries: f(12, 4),
    map_flags: f(16, 4),
    inner_map_fd: f(20, 4),
    numa_node: f(24, 4),
    map_name: f(28, 16),
    map_ifindex: f(44, 4),
    btf_fd: f(48, 4),
    btf_key_type_id: f(52, 4),
    btf_value_type_id: f(56, 4),
    btf_vmlinux_value_type_id: f(60, 4),
    map_extra: f(64, 8),
  },
} as const satisfies Layout;

/** MAP_LOOKUP_ELEM, MAP_UPDATE_ELEM, MAP_DELETE_ELEM, MAP_GET_NEXT_KEY. */
export const MapElemAttr = {
  size: 32,
  fields: {
    map_fd: f(0, 4),
    key: f(8, 8), // pointer
    value: f(16, 8), // pointer (next_key for GET_NEXT_KEY)
    flags: f(24, 8),
  },
} as const satisfies Layout;

/** PROG_LOAD. */
export const ProgLoadAttr = {
  size: 144,
  fields: {
    prog_type: f(0, 4),
    insn_cnt: f(4, 4),
    insns: f(8, 8), // pointer
    license: f(16, 8), // pointer to a C string
    log_level: f(24, 4),
    log_size: f(28, 4),
    log_buf: f(32, 8), // pointer
    kern_version: f(40, 4),
    prog_flags: f(44, 4),
    prog_name: f(48, 16),
    prog_ifindex: f(64, 4),
    expected_attach_type: f(68, 4),
    prog_btf_fd: f(72, 4),
    func_info_rec_size: f(76, 4),
    func_info: f(80, 8),
    func_info_cnt: f(88, 4),
    line_info_rec_size: f(92, 4),
    line_info: f(96, 8),
    line_info_cnt: f(104, 4),
    attach_btf_id: f(108, 4),
    attach_prog_fd: f(112, 4),
    core_relo_cnt: f(116, 4),
    fd_array: f(120, 8),
    core_relos: f(128, 8),
    core_relo_rec_size: f(136, 4),
    log_true_size: f(140, 4), // written back by the kernel (6.4+)
  },
} as const satisfies Layout;

/** LINK_CREATE, perf_event variant. */
export const LinkCreateAttr = {
  size: 32,
  fields: {
    prog_fd: f(0, 4),
    target_fd: f(4, 4),
    attach_type: f(8, 4),
    flags: f(12, 4),
    bpf_cookie: f(16, 8), // perf_event.bpf_cookie
  },
} as const satisfies Layout;

/** RAW_TRACEPOINT_OPEN. */
export const RawTracepointAttr = {
  size: 16,
  fields: {
    name: f(0, 8), // pointer to a C string
    prog_fd: f(8, 4),
  },
} as const satisfies Layout;

/** OBJ_GET_INFO_BY_FD. */
export const InfoByFdAttr = {
  size: 16,
  fields: {
    bpf_fd: f(0, 4),
    info_len: f(4, 4),
    info: f(8, 8), // pointer
  },
} as const satisfies Layout;

/** The leading part of struct bpf_prog_info we read. */
export const ProgInfo = {
  size: 80,
  fields: {
    type: f(0, 4),
    id: f(4, 4),
    tag: f(8, 8),
    jited_prog_len: f(16, 4),
    xlated_prog_len: f(20, 4),
    load_time: f(40, 8),
    created_by_uid: f(48, 4),
    nr_map_ids: f(52, 4),
    name: f(64, 16),
  },
} as const satisfies Layout;

/** The leading part of struct bpf_map_info we read. */
export const MapInfo = {
  size: 64,
  fields: {
    type: f(0, 4),
    id: f(4, 4),
    key_size: f(8, 4),
    value_size: f(12, 4),
    max_entries: f(16, 4),
    map_flags: f(20, 4),
    name: f(24, 16),
  },
} as const satisfies Layout;

/** The leading part of struct bpf_link_info we read. */
export const LinkInfo = {
  size: 16,
  fields: { type: f(0, 4), id: f(4, 4), prog_id: f(8, 4) },
} as const satisfies Layout;

/** struct perf_event_attr, PERF_ATTR_SIZE_VER7 (128 bytes). */
export const PerfEventAttr = {
  size: 128,
  fields: {
    type: f(0, 4),
    size: f(4, 4),
    config: f(8, 8),
    sample_period: f(16, 8),
    sample_type: f(24, 8),
    read_format: f(32, 8),
    flags: f(40, 8), // disabled, inherit, ... (PerfAttrFlag)
    wakeup_events: f(48, 4),
    bp_type: f(52, 4),
    config1: f(56, 8), // kprobe_func / uprobe_path pointer
    config2: f(64, 8), // probe_offset / kprobe_addr
    branch_sample_type: f(72, 8),
    sample_regs_user: f(80, 8),
    sample_stack_user: f(88, 4),
    clockid: f(92, 4),
    sample_regs_intr: f(96, 8),
    aux_watermark: f(104, 4),
    sample_max_stack: f(108, 2),
  },
} as const satisfies Layout;

/** struct perf_event_mmap_page, the fields a reader needs. */
export const PerfMmapPage = {
  size: 1056,
  fields: {
    data_head: f(1024, 8),
    data_tail: f(1032, 8),
    data_offset: f(1040, 8),
    data_size: f(1048, 8),
  },
} as const satisfies Layout;

export type FieldValues<L extends Layout> = {
  [K in keyof L['fields']]?: number | bigint | string | Uint8Array;
};

/** Pack values into a fresh zeroed buffer laid out as `layout`. */
export function pack<L extends Layout>(layout: L, values: FieldValues<L>): Uint8Array {
  const buf = new Uint8Array(layout.size);
  const dv = new DataView(buf.buffer);
  for (const [name, v] of Object.entries(values) as [string, FieldValues<L>[string]][]) {
    if (v === undefined) continue;
    const fld = layout.fields[name];
    if (!fld) throw new Error(`layout has no field ${name}`);
    if (typeof v === 'string' || v instanceof Uint8Array) {
      const bytes = typeof v === 'string' ? new TextEncoder().encode(v) : v;
      // Names keep room for their NUL.
      buf.set(bytes.subarray(0, fld.size - (typeof v === 'string' ? 1 : 0)), fld.offset);
      continue;
    }
    switch (fld.size) {
      case 2:
        dv.setUint16(fld.offset, Number(v), true);
        break;
      case 4:
        dv.setUint32(fld.offset, Number(v) >>> 0, true);
        break;
      case 8:
        dv.setBigUint64(fld.offset, BigInt.asUintN(64, BigInt(v)), true);
        break;
      default:
        throw new Error(`field ${name} of size ${fld.size} is not an integer`);
    }
  }
  return buf;
}

/** Read one integer field. */
export function readField(layout: Layout, buf: Uint8Array, name: string): bigint {
  const fld = layout.fields[name];
  if (!fld) throw new Error(`layout has no field ${name}`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (fld.size === 2) return BigInt(dv.getUint16(fld.offset, true));
  if (fld.size === 4) return BigInt(dv.getUint32(fld.offset, true));
  if (fld.size === 8) return dv.getBigUint64(fld.offset, true);
  throw new Error(`field ${name} of size ${fld.size} is not an integer`);
}

/** Read a NUL-terminated name field. */
export function readName(layout: Layout, buf: Uint8Array, name: string): string {
  const fld = layout.fields[name];
  if (!fld) throw new Error(`layout has no field ${name}`);
  const bytes = buf.subarray(fld.offset, fld.offset + fld.size);
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}
