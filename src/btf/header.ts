/**
 * The BTF header: `u16 magic, u8 version, u8 flags, u32 hdr_len, type_off,
 * type_len, str_off, str_len`, in the byte order the magic reveals. Section
 * offsets count from the end of the header.
 */
import { btfCorrupt } from './errors.js';
import { BTF_HEADER_SIZE, BTF_MAGIC, BTF_VERSION } from './kinds.js';

export interface BtfHeader {
  readonly littleEndian: boolean;
  readonly version: number;
  readonly flags: number;
  readonly hdrLen: number;
  /** Absolute byte offsets and lengths within the input. */
  readonly typeStart: number;
  readonly typeLen: number;
  readonly strStart: number;
  readonly strLen: number;
}

export function parseHeader(bytes: Uint8Array, source: string): BtfHeader {
  const where = (offset: number) => ({ offset, source });
  if (bytes.length < 4) {
    throw btfCorrupt(
      'E_BTF_BAD_HEADER',
      `is ${bytes.length} bytes, too short for a header`,
      where(0),
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicLe = view.getUint16(0, true);
  let littleEndian: boolean;
  if (magicLe === BTF_MAGIC) littleEndian = true;
  else if (view.getUint16(0, false) === BTF_MAGIC) littleEndian = false;
  else {
    throw btfCorrupt(
      'E_BTF_BAD_MAGIC',
      `bad magic 0x${magicLe.toString(16).padStart(4, '0')} (expected 0xeb9f in either byte order)`,
      where(0),
      { hint: 'this is not BTF data; pass /sys/kernel/btf/vmlinux or a module BTF file' },
    );
  }
  const version = view.getUint8(2);
  if (version !== BTF_VERSION) {
    throw btfCorrupt('E_BTF_BAD_VERSION', `unsupported version ${version} (expected 1)`, where(2));
  }
  const flags = view.getUint8(3);
  if (bytes.length < BTF_HEADER_SIZE) {
    throw btfCorrupt(
      'E_BTF_BAD_HEADER',
      `is ${bytes.length} bytes, shorter than the ${BTF_HEADER_SIZE}-byte header`,
      where(bytes.length),
    );
  }
  const hdrLen = view.getUint32(4, littleEndian);
  if (hdrLen < BTF_HEADER_SIZE || hdrLen > bytes.length) {
    throw btfCorrupt(
      'E_BTF_BAD_HEADER',
      `hdr_len ${hdrLen} is outside ${BTF_HEADER_SIZE}..${bytes.length}`,
      where(4),
    );
  }
  const u32 = (off: number) => view.getUint32(off, littleEndian);
  const typeOff = u32(8);
  const typeLen = u32(12);
  const strOff = u32(16);
  const strLen = u32(20);
  const dataLen = bytes.length - hdrLen;
  const checkSection = (name: string, off: number, len: number, fieldAt: number) => {
    if (off > dataLen || len > dataLen - off) {
      throw btfCorrupt(
        'E_BTF_BAD_HEADER',
        `${name} section [${off}, +${len}) runs past the ${dataLen} data bytes after the header (file truncated?)`,
        where(fieldAt),
      );
    }
  };
  checkSection('type', typeOff, typeLen, 8);
  checkSection('string', strOff, strLen, 16);
  if (typeOff % 4 !== 0) {
    throw btfCorrupt('E_BTF_BAD_HEADER', `type_off ${typeOff} is not 4-byte aligned`, where(8));
  }
  if (typeLen > 0 && strLen > 0 && typeOff < strOff + strLen && strOff < typeOff + typeLen) {
    throw btfCorrupt('E_BTF_BAD_HEADER', 'type and string sections overlap', where(8));
  }
  return {
    littleEndian,
    version,
    flags,
    hdrLen,
    typeStart: hdrLen + typeOff,
    typeLen,
    strStart: hdrLen + strOff,
    strLen,
  };
}
