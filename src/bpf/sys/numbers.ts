/** Kernel numbers for bpf(2) and perf_event_open(2), as data. */

/** Syscall numbers per Node `process.arch`. */
export const SYSCALL_NR = {
  x64: { bpf: 321, perf_event_open: 298 }, // arch/x86/entry/syscalls/syscall_64.tbl
  arm64: { bpf: 280, perf_event_open: 241 }, // include/uapi/asm-generic/unistd.h
  riscv64: { bpf: 280, perf_event_open: 241 }, // asm-generic
  loong64: { bpf: 280, perf_event_open: 241 }, // asm-generic
  ia32: { bpf: 357, perf_event_open: 336 }, // arch/x86/entry/syscalls/syscall_32.tbl
  s390x: { bpf: 351, perf_event_open: 331 }, // arch/s390/kernel/syscalls/syscall.tbl
  ppc64: { bpf: 361, perf_event_open: 319 }, // arch/powerpc/kernel/syscalls/syscall.tbl
} as const satisfies Record<string, { bpf: number; perf_event_open: number }>;

/** enum bpf_cmd. */
export const BpfCmd = {
  MAP_CREATE: 0, // create a map, returns its fd
  MAP_LOOKUP_ELEM: 1, // copy a value out
  MAP_UPDATE_ELEM: 2, // insert or replace
  MAP_DELETE_ELEM: 3, // remove a key
  MAP_GET_NEXT_KEY: 4, // iterate keys
  PROG_LOAD: 5, // verify and load a program, returns its fd
  OBJ_GET_INFO_BY_FD: 15, // bpf_prog_info / bpf_map_info / bpf_link_info
  RAW_TRACEPOINT_OPEN: 17, // attach to a raw tracepoint, returns a link fd
  MAP_LOOKUP_AND_DELETE_ELEM: 21, // copy a value out and remove its key (hash maps: 5.14+)
  LINK_CREATE: 28, // attach through a link, returns a link fd
} as const satisfies Record<string, number>;

/** enum bpf_prog_type (the ones probekit generates). */
export const ProgType = {
  socket_filter: 1, // feature probes only
  kprobe: 2, // kprobes and uprobes: ctx is struct pt_regs
  tracepoint: 5, // ctx is the tracepoint's raw record
  perf_event: 7, // ctx is bpf_perf_event_data
  raw_tracepoint: 17, // ctx is the tracepoint's arguments as u64[]
} as const satisfies Record<string, number>;
export type ProgTypeName = keyof typeof ProgType;

/** enum bpf_map_type (the ones probekit uses). */
export const MapType = {
  hash: 1, // key → value
  array: 2, // u32 index → value, preallocated
  perf_event_array: 4, // cpu → perf event fd, for bpf_perf_event_output
  percpu_hash: 5, // one value per CPU
  percpu_array: 6, // one value per CPU
  stack_trace: 7, // u32 stack id → u64 ips[depth], filled by bpf_get_stackid
  lru_hash: 9, // hash that evicts the least recently used key
  ringbuf: 27, // shared MPSC ring buffer (5.8)
} as const satisfies Record<string, number>;
export type MapTypeName = keyof typeof MapType;

/** enum bpf_attach_type entries used with LINK_CREATE. */
export const AttachType = {
  perf_event: 41, // BPF_PERF_EVENT: program on a perf event fd (5.15)
} as const satisfies Record<string, number>;

/** Map update flags. */
export const UpdateFlags = {
  any: 0, // create or replace
  noexist: 1, // create only
  exist: 2, // replace only
} as const satisfies Record<string, number>;

/** bpf_get_stackid flags (the low 8 bits skip that many frames). */
export const StackIdFlags = {
  user: 1 << 8, // BPF_F_USER_STACK: the user stack instead of the kernel one
  fast_cmp: 1 << 9, // BPF_F_FAST_STACK_CMP: compare stacks by hash only
  reuse: 1 << 10, // BPF_F_REUSE_STACKID: a colliding stack replaces the old one
} as const satisfies Record<string, number>;

/** PERF_MAX_STACK_DEPTH: the default of kernel.perf_event_max_stack, frames a stack map value holds. */
export const PERF_MAX_STACK_DEPTH = 127;

/** Map creation flags. */
export const MapFlags = {
  no_prealloc: 1, // BPF_F_NO_PREALLOC
} as const satisfies Record<string, number>;

/** perf_event_attr.type values. */
export const PerfType = {
  hardware: 0,
  software: 1,
  tracepoint: 2, // config = tracefs event id
} as const satisfies Record<string, number>;

export const PERF_COUNT_SW_BPF_OUTPUT = 10; // software event fed by bpf_perf_event_output
export const PERF_SAMPLE_RAW = 1 << 10; // sample carries a u32 size + raw bytes
export const PERF_FLAG_FD_CLOEXEC = 1 << 3; // perf_event_open flags

/** Bits of perf_event_attr's flag word (offset 40). */
export const PerfAttrFlag = {
  disabled: 1n << 0n, // start disabled; enable with an ioctl
  inherit: 1n << 1n,
  exclude_kernel: 1n << 5n,
  watermark: 1n << 14n, // wakeup_watermark instead of wakeup_events
} as const satisfies Record<string, bigint>;

/** ioctl requests on a perf event fd (_IO/_IOW('$', n)). */
export const PerfIoctl = {
  ENABLE: 0x2400, // _IO('$', 0)
  DISABLE: 0x2401, // _IO('$', 1)
  SET_BPF: 0x40042408, // _IOW('$', 8, __u32): attach a program fd
} as const satisfies Record<string, number>;

/** perf ring record types. */
export const PerfRecord = {
  LOST: 2, // { id u64, lost u64 }
  SAMPLE: 9, // per sample_type; for BPF output: { size u32, data }
} as const satisfies Record<string, number>;

export const O_CLOEXEC = 0o2000000;
/** mmap(2). */
export const Mmap = { PROT_READ: 1, PROT_WRITE: 2, MAP_SHARED: 1 } as const satisfies Record<
  string,
  number
>;
/** Sizes of kernel object names (BPF_OBJ_NAME_LEN includes the NUL). */
export const BPF_OBJ_NAME_LEN = 16;
