/**
 * A small kernel-like BTF with every kind, built by BtfWriter. Layout (bit offsets):
 *   struct qstr { u32 hash@0; u32 len@32; const unsigned char *name@64 }            16 bytes
 *   struct dentry { unsigned int d_flags@0; struct dentry *d_parent@64;
 *                   struct qstr d_name@128; unsigned char d_iname[32]@256 }         64 bytes
 *   struct path { void *mnt@0; struct dentry *dentry@64 }                              16 bytes
 *   struct file { union { void *f_llist; unsigned int f_count; }@0;
 *                 struct path f_path@64; loff_t f_pos@192; unsigned int f_flags@256;
 *                 struct { int inner_a@0; char inner_name[8]@32 }@288 }               48 bytes
 *   struct sk_buff (kind_flag) { __u8 cloned:1@1008; nohdr:1@1009; fclone:2@1010;
 *                 unsigned int big:20@1036; __u8 straddle:4@1022; char *data@1088 } 144 bytes
 *   struct oldbf { unsigned int(3 bits) flags@5 }                                      4 bytes
 *   struct pt_regs { unsigned long di@0; si@64; union { u16 cs; u64 csx; }@128 }       24 bytes
 */
import { BtfWriter, type Built, type WriterOptions } from './writer.js';

export interface Fixture {
  readonly built: Built;
  readonly ids: Record<string, number>;
}

export function buildFixture(options: WriterOptions = {}): Fixture {
  const w = new BtfWriter(options);
  const ids: Record<string, number> = {};
  const put = (name: string, id: number) => {
    ids[name] = id;
    return id;
  };
  const int = put('int', w.int('int', 4, { signed: true }));
  const char = put('char', w.int('char', 1, { signed: true }));
  const uchar = put('uchar', w.int('unsigned char', 1));
  const uint = put('uint', w.int('unsigned int', 4));
  const long = put('long', w.int('long int', 8, { signed: true }));
  const ulong = put('ulong', w.int('long unsigned int', 8));
  const u16 = put('u16', w.int('short unsigned int', 2));
  const bool = put('bool', w.int('_Bool', 1, { bool: true }));
  const size_t = put('size_t', w.typedef('size_t', ulong));
  const ssize_t = put('ssize_t', w.typedef('ssize_t', long));
  const loff_t = put('loff_t', w.typedef('loff_t', long));
  const u8 = put('__u8', w.typedef('__u8', uchar));
  const u32 = put('u32', w.typedef('u32', uint));
  const constChar = put('const char', w.const(char));
  const constCharPtr = put('const char *', w.ptr(constChar));
  const charPtr = put('char *', w.ptr(char));
  const userTag = put('user tag', w.typeTag('user', char));
  const userCharPtr = put('char __user *', w.ptr(userTag));
  const voidPtr = put('void *', w.ptr(0));
  const constUchar = put('const unsigned char', w.const(uchar));
  const constUcharPtr = put('const unsigned char *', w.ptr(constUchar));
  const u8Ptr = put('__u8 *', w.ptr(u8));
  const volatileInt = put('volatile int', w.volatile(int));
  const restrictCharPtr = put('char *restrict', w.restrict(charPtr));
  const constCharPtrConst = put('const char *const', w.const(constCharPtr));

  // struct qstr, struct dentry (self pointer), struct path
  const qstr = put(
    'qstr',
    w.struct('qstr', 16, [
      { name: 'hash', type: u32, bits: 0 },
      { name: 'len', type: u32, bits: 32 },
      { name: 'name', type: constUcharPtr, bits: 64 },
    ]),
  );
  const dentry = put('dentry', w.nextId);
  const dentryPtr = put('struct dentry *', w.nextId + 1);
  const ucharArr32 = put('unsigned char [32]', w.nextId + 2);
  w.struct('dentry', 64, [
    { name: 'd_flags', type: uint, bits: 0 },
    { name: 'd_parent', type: dentryPtr, bits: 64 },
    { name: 'd_name', type: qstr, bits: 128 },
    { name: 'd_iname', type: ucharArr32, bits: 256 },
  ]);
  w.ptr(dentry);
  w.array(uchar, int, 32);
  const path = put(
    'path',
    w.struct('path', 16, [
      { name: 'mnt', type: voidPtr, bits: 0 },
      { name: 'dentry', type: dentryPtr, bits: 64 },
    ]),
  );
  // struct file with an anonymous union and an anonymous struct
  const anonUnion = put(
    'file anon union',
    w.union('', 8, [
      { name: 'f_llist', type: voidPtr, bits: 0 },
      { name: 'f_count', type: uint, bits: 0 },
    ]),
  );
  const charArr8 = put('char [8]', w.array(char, int, 8));
  const anonStruct = put(
    'file anon struct',
    w.struct('', 12, [
      { name: 'inner_a', type: int, bits: 0 },
      { name: 'inner_name', type: charArr8, bits: 32 },
    ]),
  );
  const file = put(
    'file',
    w.struct('file', 48, [
      { name: '', type: anonUnion, bits: 0 },
      { name: 'f_path', type: path, bits: 64 },
      { name: 'f_pos', type: loff_t, bits: 192 },
      { name: 'f_flags', type: uint, bits: 256 },
      { name: '', type: anonStruct, bits: 288 },
    ]),
  );
  const filePtr = put('struct file *', w.ptr(file));
  const fileT = put('file_t', w.typedef('file_t', file));
  put('file_t *', w.ptr(fileT));
  const loffPtr = put('loff_t *', w.ptr(loff_t));

  // bitfields
  put(
    'sk_buff',
    w.struct(
      'sk_buff',
      144,
      [
        { name: 'cloned', type: u8, bits: 1008, width: 1 },
        { name: 'nohdr', type: u8, bits: 1009, width: 1 },
        { name: 'fclone', type: u8, bits: 1010, width: 2 },
        { name: 'big', type: uint, bits: 1036, width: 20 },
        { name: 'straddle', type: u8, bits: 1022, width: 4 },
        { name: 'data', type: charPtr, bits: 1088 },
      ],
      true,
    ),
  );
  const int3 = put('uint:3', w.int('unsigned int', 4, { bits: 3 }));
  put('oldbf', w.struct('oldbf', 4, [{ name: 'flags', type: int3, bits: 5 }]));

  // enums
  put(
    'enum sign',
    w.enum(
      'sign',
      4,
      [
        ['NEG', -1],
        ['POS', 1],
      ],
      true,
    ),
  );
  put('enum flags', w.enum('flags', 4, [['BIG', 0xfffffff0]], false));
  put(
    'enum64',
    w.enum64(
      'wide',
      8,
      [
        ['HUGE', 0xfedcba9876543210n],
        ['ONE', 1n],
      ],
      false,
    ),
  );
  put('enum64 signed', w.enum64('swide', 8, [['MINUS', -5n]], true));

  // forward declarations: one without and one with a complete definition
  put('fwd task_struct', w.fwd('task_struct'));
  const fwdFull = put('fwd full', w.fwd('full'));
  put('full', w.struct('full', 4, [{ name: 'x', type: int, bits: 0 }]));
  put('struct full *', w.ptr(fwdFull));
  put('fwd union', w.fwd('uu', true));

  // pt_regs
  const csUnion = put(
    'pt_regs anon',
    w.union('', 8, [
      { name: 'cs', type: u16, bits: 0 },
      { name: 'csx', type: ulong, bits: 0 },
    ]),
  );
  const ptRegs = put(
    'pt_regs',
    w.struct('pt_regs', 24, [
      { name: 'di', type: ulong, bits: 0 },
      { name: 'si', type: ulong, bits: 64 },
      { name: '', type: csUnion, bits: 128 },
    ]),
  );
  const constPtRegs = w.const(ptRegs);
  const constPtRegsPtr = put('const struct pt_regs *', w.ptr(constPtRegs));

  // functions
  const vfsReadProto = put(
    'vfs_read proto',
    w.funcProto(ssize_t, [
      ['file', filePtr],
      ['buf', userCharPtr],
      ['count', size_t],
      ['pos', loffPtr],
    ]),
  );
  const vfsRead = put('vfs_read', w.func('vfs_read', vfsReadProto));
  put('kfunc tag', w.declTag('bpf_kfunc', vfsRead, -1));
  put('param tag', w.declTag('nonnull', vfsRead, 0));
  put('printk', w.func('_printk', w.funcProto(int, [['fmt', constCharPtr]], true)));
  const cbProto = put(
    'cb proto',
    w.funcProto(0, [
      ['', int],
      ['', voidPtr],
    ]),
  );
  const cbPtr = put('void (*)(int, void *)', w.ptr(cbProto));
  const intArr4 = put('int [4]', w.array(int, int, 4));
  const gridPtr = put('int (*)[4]', w.ptr(intArr4));
  put(
    'register_cb',
    w.func(
      'register_cb',
      w.funcProto(int, [
        ['cb', cbPtr],
        ['grid', gridPtr],
        ['flags', bool],
      ]),
    ),
  );
  put(
    '__x64_sys_openat',
    w.func('__x64_sys_openat', w.funcProto(long, [['regs', constPtRegsPtr]])),
  );
  put('do_nothing', w.func('do_nothing', w.funcProto(0, []), 0));
  put(
    'strcpy',
    w.func(
      'strcpy',
      w.funcProto(charPtr, [
        ['p', restrictCharPtr],
        ['q', constCharPtrConst],
      ]),
    ),
  );
  put(
    'by_value',
    w.func(
      'by_value',
      w.funcProto(u8Ptr, [
        ['p', path],
        ['v', volatileInt],
        ['name', constUcharPtr],
      ]),
    ),
  );

  // variables and sections, floats
  const jiffies = put('jiffies', w.var('jiffies', ulong, 1));
  put('.data', w.datasec('.data', 8, [[jiffies, 0, 8]]));
  put('double', w.float('double', 8));
  return { built: w.build(), ids };
}
