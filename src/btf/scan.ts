/**
 * One pass over the type section: the byte offset of every record, so types can
 * be decoded later by id. Only `info` is read; an unknown kind stops the pass
 * (its record length is unknown) and a record running past the section is
 * reported with its id and offset.
 */
import { btfCorrupt } from './errors.js';
import { BTF_KINDS, BTF_TYPE_RECORD, KIND_BY_NUMBER } from './kinds.js';

export function scanTypes(
  view: DataView,
  start: number,
  length: number,
  littleEndian: boolean,
  firstId: number,
  source: string,
): Uint32Array {
  const end = start + length;
  // Every record is at least 12 bytes, so this bounds the allocation by the input size.
  const offsets = new Uint32Array(Math.floor(length / BTF_TYPE_RECORD));
  let count = 0;
  let pos = start;
  while (pos < end) {
    const id = firstId + count;
    if (end - pos < BTF_TYPE_RECORD) {
      throw btfCorrupt(
        'E_BTF_TRUNCATED',
        `type record needs ${BTF_TYPE_RECORD} bytes but only ${end - pos} remain in the type section`,
        { typeId: id, offset: pos, source },
      );
    }
    const info = view.getUint32(pos + 4, littleEndian);
    const kindNo = (info >>> 24) & 0x1f;
    const kind = KIND_BY_NUMBER[kindNo];
    if (kind === undefined) {
      throw btfCorrupt(
        'E_BTF_UNKNOWN_KIND',
        `unknown kind ${kindNo} (this decoder knows kinds 1..19; newer BTF?)`,
        { typeId: id, offset: pos + 4, source },
        {
          hint: 'the BTF was produced for a newer kernel than probekit understands, or it is corrupt',
        },
      );
    }
    const k = BTF_KINDS[kind];
    const size = BTF_TYPE_RECORD + k.fixed + k.perVlen * (info & 0xffff);
    if (size > end - pos) {
      throw btfCorrupt(
        'E_BTF_TRUNCATED',
        `${kind} record of ${size} bytes runs past the end of the type section (${end - pos} bytes left)`,
        { typeId: id, offset: pos, source },
      );
    }
    offsets[count++] = pos;
    pos += size;
  }
  return offsets.slice(0, count);
}
