/**
 * Bounds-checked reads from a file image. Every read is checked against the
 * file size, so a hostile offset gives E_ELF_TRUNCATED instead of a RangeError.
 */
import { elfFormatError, hex } from './errors.js';
import type { ElfClass, ElfEndian } from './types.js';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

export class ElfReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  readonly le: boolean;
  readonly elfClass: ElfClass;
  readonly file: string;

  constructor(bytes: Uint8Array, endian: ElfEndian, elfClass: ElfClass, file: string) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.le = endian === 'little';
    this.elfClass = elfClass;
    this.file = file;
  }

  get size(): number {
    return this.bytes.byteLength;
  }

  /** Checks that [offset, offset+length) lies inside the file; `what` names the structure. */
  need(offset: number, length: number, what: string): void {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw elfFormatError(
        'E_ELF_TRUNCATED',
        this.file,
        `${what} at offset ${hex(offset)} (${length} bytes) runs past the end of the file (size ${hex(this.size)})`,
        { offset, length, fileSize: this.size },
      );
    }
  }

  /**
   * Turns a (bigint) offset and size from the file into a checked byte range:
   * both must fit in the file, so later numbers are safe integers.
   */
  range(offset: bigint, size: bigint, what: string): ByteRange {
    const total = BigInt(this.size);
    if (offset < 0n || size < 0n || offset > total || size > total - offset) {
      throw elfFormatError(
        'E_ELF_TRUNCATED',
        this.file,
        `${what} at offset ${hex(offset)} (${size} bytes) runs past the end of the file (size ${hex(this.size)})`,
        { offset: hex(offset), length: hex(size), fileSize: this.size },
      );
    }
    return { start: Number(offset), end: Number(offset + size) };
  }

  private check(offset: number, width: number): void {
    if (offset < 0 || offset + width > this.size) this.need(offset, width, 'field');
  }

  u8(offset: number): number {
    this.check(offset, 1);
    return this.view.getUint8(offset);
  }

  u16(offset: number): number {
    this.check(offset, 2);
    return this.view.getUint16(offset, this.le);
  }

  u32(offset: number): number {
    this.check(offset, 4);
    return this.view.getUint32(offset, this.le);
  }

  u64(offset: number): bigint {
    this.check(offset, 8);
    return this.view.getBigUint64(offset, this.le);
  }

  /** An address-sized field (Elf32_Addr/Off/Word or Elf64_Addr/Off/Xword) as bigint. */
  word(offset: number): bigint {
    return this.elfClass === 64 ? this.u64(offset) : BigInt(this.u32(offset));
  }
}
