export * from './bpf.js';
export { ERRNO_HINTS, errnoName, syscallError } from './errno.js';
export * from './layout.js';
export * from './numbers.js';
export {
  addressOf,
  memoryView,
  pageSize,
  sysBpf,
  sysClose,
  sysEpollAdd,
  sysEpollCreate,
  sysEpollWait,
  sysIoctl,
  sysMmap,
  sysMunmap,
  sysPerfEventOpen,
} from './syscall.js';
