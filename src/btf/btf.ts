/**
 * `Btf`: BTF data indexed once and decoded lazily. `parseBtf` checks the header
 * and walks the type section one time, recording where each record starts;
 * `type(id)` decodes a record on first use and caches it. Split BTF (kernel
 * modules) continues the base's type ids and string offsets.
 */
import type { FunctionPrototype } from '../plan/types.js';
import { typeName } from './cname.js';
import { type DecodeContext, decodeType } from './decode.js';
import { btfCorrupt } from './errors.js';
import { type BtfHeader, parseHeader } from './header.js';
import { BTF_KINDS, type BtfKindName, KIND_BY_NUMBER } from './kinds.js';
import {
  type MemberAccess,
  type MemberPathElement,
  type MemberRoot,
  resolveMemberPath,
} from './members.js';
import { NameIndex } from './nameindex.js';
import { functionPrototype, renderPrototype } from './prototype.js';
import { resolveType, sizeOf } from './resolve.js';
import { scanTypes } from './scan.js';
import type { BtfType, BtfTypeKind } from './types.js';

export interface ParseBtfOptions {
  /** The base BTF (vmlinux) when parsing split BTF (a module). */
  readonly base?: Btf;
  /** Where the data came from, for error messages ('vmlinux', a module name, a path). */
  readonly name?: string;
  /** Pointer size in bytes when the data has no `long` to tell (defaults to the base's, else 8). */
  readonly pointerSize?: 4 | 8;
}

const VOID: BtfType = { kind: 'VOID', id: 0, name: 'void' };
const utf8 = new TextDecoder('utf-8');

export class Btf implements DecodeContext {
  readonly source: string;
  readonly base: Btf | undefined;
  readonly header: BtfHeader;
  readonly littleEndian: boolean;
  readonly view: DataView;
  /** The first type id held here: 1 for base BTF, the base's `nextId` for split BTF. */
  readonly firstId: number;
  /** One past the largest valid type id. */
  readonly nextId: number;
  /** The first string offset held here (0 for base BTF). */
  readonly firstStrOff: number;
  /** One past the largest valid string offset. */
  readonly nextStrOff: number;
  private readonly bytes: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly cache: (BtfType | undefined)[];
  private funcIndex: NameIndex | undefined;
  private readonly byKind = new Map<BtfKindName, Map<string, number[]>>();
  private ptrSize: number | undefined;

  /** Use `parseBtf`. */
  constructor(bytes: Uint8Array, options: ParseBtfOptions = {}) {
    this.source = options.name ?? (options.base ? 'module' : 'vmlinux');
    this.base = options.base;
    this.ptrSize = options.pointerSize;
    this.bytes = bytes;
    this.header = parseHeader(bytes, this.source);
    const h = this.header;
    this.littleEndian = h.littleEndian;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (this.base && this.base.littleEndian !== h.littleEndian) {
      throw btfCorrupt('E_BTF_BAD_HEADER', 'byte order differs from its base BTF', {
        offset: 0,
        source: this.source,
      });
    }
    if (h.strLen > 0 && bytes[h.strStart + h.strLen - 1] !== 0) {
      throw btfCorrupt('E_BTF_BAD_HEADER', 'string section does not end with a NUL byte', {
        offset: h.strStart + h.strLen - 1,
        source: this.source,
      });
    }
    if (!this.base && (h.strLen === 0 || bytes[h.strStart] !== 0)) {
      throw btfCorrupt('E_BTF_BAD_HEADER', 'string section does not start with the empty string', {
        offset: h.strStart,
        source: this.source,
      });
    }
    this.firstId = this.base ? this.base.nextId : 1;
    this.firstStrOff = this.base ? this.base.nextStrOff : 0;
    this.nextStrOff = this.firstStrOff + h.strLen;
    this.offsets = scanTypes(
      this.view,
      h.typeStart,
      h.typeLen,
      h.littleEndian,
      this.firstId,
      this.source,
    );
    this.nextId = this.firstId + this.offsets.length;
    this.cache = new Array(this.offsets.length);
  }

  /** Number of types held here (not counting void or base types). */
  get typeCount(): number {
    return this.offsets.length;
  }

  /** The largest valid type id. */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** Pointer size in bytes: the size of `long` when the data has one, else 8. */
  get pointerSize(): number {
    if (this.ptrSize === undefined) {
      let size = this.base?.pointerSize;
      if (size === undefined) {
        for (const n of ['long int', 'long unsigned int', 'long', 'unsigned long']) {
          const id = this.findTypes(n, 'INT')[0];
          if (id !== undefined) {
            size = (this.type(id) as { size: number }).size;
            break;
          }
        }
      }
      this.ptrSize = size ?? 8;
    }
    return this.ptrSize;
  }

  /** The string at a name offset (base strings below `firstStrOff`). */
  string(off: number, typeId?: number): string {
    if (off < this.firstStrOff && this.base) return this.base.string(off, typeId);
    const local = off - this.firstStrOff;
    if (local < 0 || local >= this.header.strLen) {
      throw btfCorrupt(
        'E_BTF_BAD_STRING',
        `name offset ${off} is outside the string section (valid: ${this.firstStrOff === 0 ? 0 : `0..${this.firstStrOff - 1} in the base and ${this.firstStrOff}`}..${this.nextStrOff - 1})`,
        { typeId, source: this.source },
      );
    }
    if (local === 0 && !this.base) return '';
    const start = this.header.strStart + local;
    // The section ends with NUL (checked in the constructor), so this stops inside it.
    const end = this.bytes.indexOf(0, start);
    return asciiOrUtf8(this.bytes, start, end);
  }

  private checkId(id: number): void {
    if (!Number.isInteger(id) || id < 0 || id >= this.nextId) {
      throw btfCorrupt(
        'E_BTF_BAD_TYPE_ID',
        `type id ${id} does not exist (valid ids: 0..${this.nextId - 1})`,
        { typeId: id, source: this.source },
      );
    }
  }

  /** The decoded type for an id (0 is void). Decoded once, then cached. */
  type(id: number): BtfType {
    if (id === 0) return VOID;
    if (id < this.firstId && this.base) return this.base.type(id);
    this.checkId(id);
    const i = id - this.firstId;
    let t = this.cache[i];
    if (t === undefined) {
      t = decodeType(this, id, this.offsets[i]!);
      this.cache[i] = t;
    }
    return t;
  }

  /** The kind of a type without decoding it. */
  kindOf(id: number): BtfTypeKind {
    if (id === 0) return 'VOID';
    if (id < this.firstId && this.base) return this.base.kindOf(id);
    this.checkId(id);
    const info = this.view.getUint32(this.offsets[id - this.firstId]! + 4, this.littleEndian);
    return KIND_BY_NUMBER[(info >>> 24) & 0x1f]!;
  }

  /** The name of a type without decoding the rest of it ('' when anonymous, 'void' for 0). */
  nameOf(id: number): string {
    if (id === 0) return 'void';
    if (id < this.firstId && this.base) return this.base.nameOf(id);
    this.checkId(id);
    return this.string(
      this.view.getUint32(this.offsets[id - this.firstId]!, this.littleEndian),
      id,
    );
  }

  /** Ids held here (not the base's), in order. */
  *ids(): IterableIterator<number> {
    for (let id = this.firstId; id < this.nextId; id++) yield id;
  }

  /** How many types of each kind are held here (not counting void or the base). */
  countByKind(): Partial<Record<BtfKindName, number>> {
    const out: Partial<Record<BtfKindName, number>> = {};
    for (let id = this.firstId; id < this.nextId; id++) {
      const k = this.kindOf(id) as BtfKindName;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  }

  /**
   * Call `fn(id, name)` for every type of one kind held here (a fast scan
   * without decoding). A type whose name offset is out of range is skipped:
   * it fails when decoded, and the other names stay usable.
   */
  private eachOfKind(kindNo: number, fn: (id: number, name: string) => void): void {
    const { view, offsets, littleEndian: le } = this;
    const strEnd = this.nextStrOff;
    for (let i = 0; i < offsets.length; i++) {
      const pos = offsets[i]!;
      if (((view.getUint32(pos + 4, le) >>> 24) & 0x1f) !== kindNo) continue;
      const nameOff = view.getUint32(pos, le);
      if (nameOff >= strEnd) continue;
      const id = this.firstId + i;
      fn(id, this.string(nameOff, id));
    }
  }

  /** Where the NUL-terminated string at a name offset starts, or undefined when out of range. */
  private locateName(off: number): { bytes: Uint8Array; start: number } | undefined {
    if (off < this.firstStrOff) return this.base?.locateName(off);
    if (off >= this.nextStrOff) return undefined;
    return { bytes: this.bytes, start: this.header.strStart + off - this.firstStrOff };
  }

  /** The FUNC id for a function name (here first, then the base), or undefined. */
  findFunction(name: string): number | undefined {
    if (!this.funcIndex) {
      const { view, offsets, littleEndian: le } = this;
      const funcKind = BTF_KINDS.FUNC.id;
      let n = 0;
      for (let i = 0; i < offsets.length; i++) {
        if (((view.getUint32(offsets[i]! + 4, le) >>> 24) & 0x1f) === funcKind) n++;
      }
      const ids = new Int32Array(n);
      const nameOffs = new Uint32Array(n);
      for (let i = 0, j = 0; i < offsets.length; i++) {
        const pos = offsets[i]!;
        if (((view.getUint32(pos + 4, le) >>> 24) & 0x1f) !== funcKind) continue;
        ids[j] = this.firstId + i;
        nameOffs[j++] = view.getUint32(pos, le);
      }
      this.funcIndex = new NameIndex(ids, nameOffs, (off) => this.locateName(off));
    }
    return this.funcIndex.get(name) ?? this.base?.findFunction(name);
  }

  /** Every FUNC name here and in the base (for suggestions). */
  functionNames(): string[] {
    const own: string[] = [];
    this.eachOfKind(BTF_KINDS.FUNC.id, (_id, name) => {
      own.push(name);
    });
    return this.base ? [...this.base.functionNames(), ...own] : own;
  }

  /** Ids of the types of one kind with this exact name: here first, then the base. */
  findTypes(name: string, kind: BtfKindName): number[] {
    let map = this.byKind.get(kind);
    if (!map) {
      const m = new Map<string, number[]>();
      this.eachOfKind(BTF_KINDS[kind].id, (id, name) => {
        const list = m.get(name);
        if (list) list.push(id);
        else m.set(name, [id]);
      });
      map = m;
      this.byKind.set(kind, map);
    }
    const own = map.get(name) ?? [];
    return this.base ? [...own, ...this.base.findTypes(name, kind)] : own;
  }

  /** Follow TYPEDEF, CONST, VOLATILE, RESTRICT and TYPE_TAG to the underlying type id. */
  resolveType(id: number): number {
    return resolveType(this, id);
  }

  /** Size in bytes of a type (0 for void and incomplete types). */
  sizeOf(id: number): number {
    return sizeOf(this, id);
  }

  /** C text for a type (`struct file *`), optionally declaring `name`. */
  typeName(id: number, name?: string): string {
    return typeName(this, id, name);
  }

  /** The planner's view of a function; throws E_BTF_NO_FUNCTION with near names. */
  functionPrototype(name: string): FunctionPrototype {
    return functionPrototype(this, name);
  }

  /** `ssize_t vfs_read(struct file *file, char *buf, size_t count, loff_t *pos)`. */
  renderPrototype(name: string): string {
    return renderPrototype(this, name);
  }

  /** Offsets and type facts for `root->a.b->c`; see members.ts. */
  resolveMemberPath(root: MemberRoot, path: readonly MemberPathElement[]): MemberAccess {
    return resolveMemberPath(this, root, path);
  }
}

/** Names are ASCII almost always; decode those without a TextDecoder call, as flat strings. */
function asciiOrUtf8(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 256) {
    for (let i = start; i < end; i++) {
      if (bytes[i]! >= 0x80) return utf8.decode(bytes.subarray(start, end));
    }
    return String.fromCharCode.apply(null, bytes.subarray(start, end) as unknown as number[]);
  }
  return utf8.decode(bytes.subarray(start, end));
}

/** Parse BTF bytes (vmlinux, or split module BTF with `base`). Throws `E_BTF_*` errors. */
export function parseBtf(bytes: Uint8Array, options: ParseBtfOptions = {}): Btf {
  return new Btf(bytes, options);
}
