/** BPF helper function ids (include/uapi/linux/bpf.h, ___BPF_FUNC_MAPPER order). */
export const Helper = {
  map_lookup_elem: 1, // (map, key) -> value pointer or NULL
  map_update_elem: 2, // (map, key, value, flags) -> 0 or -errno
  map_delete_elem: 3, // (map, key) -> 0 or -errno
  probe_read: 4, // (dst, size, unsafe_ptr), legacy
  ktime_get_ns: 5, // () -> monotonic ns
  trace_printk: 6, // (fmt, fmt_size, ...)
  get_prandom_u32: 7, // () -> random u32
  get_smp_processor_id: 8, // () -> cpu
  tail_call: 12, // (ctx, prog_array, index)
  get_current_pid_tgid: 14, // () -> tgid << 32 | pid
  get_current_uid_gid: 15, // () -> gid << 32 | uid
  get_current_comm: 16, // (buf, size) -> 0
  perf_event_output: 25, // (ctx, map, flags, data, size)
  get_stackid: 27, // (ctx, map, flags)
  get_current_task: 35, // () -> task_struct pointer
  probe_read_str: 45, // (dst, size, unsafe_ptr), legacy
  probe_read_user: 112, // (dst, size, user_ptr)
  probe_read_kernel: 113, // (dst, size, kernel_ptr)
  probe_read_user_str: 114, // (dst, size, user_ptr) -> length with NUL
  probe_read_kernel_str: 115, // (dst, size, kernel_ptr) -> length with NUL
  ktime_get_boot_ns: 125, // () -> boot-time ns
  ringbuf_output: 130, // (ringbuf, data, size, flags)
  ringbuf_reserve: 131, // (ringbuf, size, flags) -> record pointer or NULL
  ringbuf_submit: 132, // (record, flags)
  ringbuf_discard: 133, // (record, flags)
  ringbuf_query: 134, // (ringbuf, flags)
  copy_from_user: 148, // (dst, size, user_ptr), sleepable programs only; may fault pages in
  get_func_ip: 173, // (ctx) -> probed address
  get_attach_cookie: 174, // (ctx) -> cookie from the link
} as const satisfies Record<string, number>;

export type HelperName = keyof typeof Helper;

const byId = new Map<number, string>(Object.entries(Helper).map(([k, v]) => [v, k]));

/** `bpf_map_lookup_elem` for 1, undefined for an id not in the table. */
export function helperName(id: number): string | undefined {
  const n = byId.get(id);
  return n === undefined ? undefined : `bpf_${n}`;
}
