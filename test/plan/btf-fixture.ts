/**
 * A small kernel-like BTF for planner tests (built with the BTF tests' writer):
 *   struct qstr { u32 hash@0; u32 len@4; const unsigned char *name@8 }
 *   struct dentry { unsigned int d_flags@0; struct qstr d_name@8; char d_iname[16]@24 }
 *   struct path { void *mnt@0; struct dentry *dentry@8 }
 *   struct file { unsigned int f_flags@0; struct path f_path@8; loff_t f_pos@24 }
 *   struct sk_buff (bitfields) { __u8 pkt_type:3 @ bit 1000; unsigned int mark@128 }
 *   struct pt_regs { unsigned long r10@56 ... di@112 } (x86_64 layout, 168 bytes)
 * and the functions
 *   ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)
 *   ssize_t vfs_write(struct file *file, const char __user *buf, size_t count, loff_t *pos)
 *   int do_sys_openat2(int dfd, const char *filename, void *how)
 *   struct file *getname_kernel(const char *filename)
 *   void consume_skb(struct sk_buff *skb)
 *   long __x64_sys_openat(const struct pt_regs *regs)
 *   int takes_struct(int a, struct path p, int b)
 */
import { type Btf, parseBtf } from '../../src/btf/index.js';
import { BtfWriter } from '../btf/helpers/writer.js';

/** x86_64 `struct pt_regs` member order (8 bytes each). */
export const X86_PT_REGS = [
  'r15',
  'r14',
  'r13',
  'r12',
  'bp',
  'bx',
  'r11',
  'r10',
  'r9',
  'r8',
  'ax',
  'cx',
  'dx',
  'si',
  'di',
  'orig_ax',
  'ip',
  'cs',
  'flags',
  'sp',
  'ss',
] as const;

export function planFixture(): Btf {
  const w = new BtfWriter();
  const int = w.int('int', 4, { signed: true });
  const char = w.int('char', 1, { signed: true });
  const uchar = w.int('unsigned char', 1);
  const uint = w.int('unsigned int', 4);
  const long = w.int('long int', 8, { signed: true });
  const ulong = w.int('long unsigned int', 8);
  const sizeT = w.typedef('size_t', ulong);
  const ssizeT = w.typedef('ssize_t', long);
  const loffT = w.typedef('loff_t', long);
  w.typedef('umode_t', w.int('short unsigned int', 2));
  const u8 = w.typedef('__u8', uchar);
  const u32 = w.typedef('u32', uint);
  const charPtr = w.ptr(char);
  const constChar = w.const(char);
  const constCharPtr = w.ptr(constChar);
  const userConstChar = w.typeTag('user', constChar);
  const userConstCharPtr = w.ptr(userConstChar);
  const voidPtr = w.ptr(0);
  const constUcharPtr = w.ptr(w.const(uchar));
  const loffPtr = w.ptr(loffT);
  const qstr = w.struct('qstr', 16, [
    { name: 'hash', type: u32, bits: 0 },
    { name: 'len', type: u32, bits: 32 },
    { name: 'name', type: constUcharPtr, bits: 64 },
  ]);
  const charArr16 = w.array(char, int, 16);
  const dentry = w.struct('dentry', 40, [
    { name: 'd_flags', type: uint, bits: 0 },
    { name: 'd_name', type: qstr, bits: 64 },
    { name: 'd_iname', type: charArr16, bits: 192 },
  ]);
  const dentryPtr = w.ptr(dentry);
  const path = w.struct('path', 16, [
    { name: 'mnt', type: voidPtr, bits: 0 },
    { name: 'dentry', type: dentryPtr, bits: 64 },
  ]);
  const file = w.struct('file', 32, [
    { name: 'f_flags', type: uint, bits: 0 },
    { name: 'f_path', type: path, bits: 64 },
    { name: 'f_pos', type: loffT, bits: 192 },
  ]);
  const filePtr = w.ptr(file);
  const skb = w.struct(
    'sk_buff',
    136,
    [
      { name: 'pkt_type', type: u8, bits: 1000, width: 3 },
      { name: 'mark', type: u32, bits: 128, width: 0 },
    ],
    true,
  );
  const skbPtr = w.ptr(skb);
  const ptRegs = w.struct(
    'pt_regs',
    X86_PT_REGS.length * 8,
    X86_PT_REGS.map((name, i) => ({ name, type: ulong, bits: i * 64 })),
  );
  const constPtRegsPtr = w.ptr(w.const(ptRegs));

  const rw = (buf: number) =>
    w.funcProto(ssizeT, [
      ['file', filePtr],
      ['buf', buf],
      ['count', sizeT],
      ['pos', loffPtr],
    ]);
  w.func('vfs_read', rw(charPtr));
  w.func('vfs_write', rw(userConstCharPtr));
  w.func(
    'do_sys_openat2',
    w.funcProto(int, [
      ['dfd', int],
      ['filename', constCharPtr],
      ['how', voidPtr],
    ]),
  );
  w.func('getname_kernel', w.funcProto(filePtr, [['filename', constCharPtr]]));
  w.func('consume_skb', w.funcProto(0, [['skb', skbPtr]]));
  w.func('__x64_sys_openat', w.funcProto(long, [['regs', constPtRegsPtr]]));
  w.func(
    'takes_struct',
    w.funcProto(int, [
      ['a', int],
      ['p', path],
      ['b', int],
    ]),
  );
  return parseBtf(w.build().bytes, { name: 'plan-fixture' });
}
