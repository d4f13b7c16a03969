/** The GNU build-id note, from SHT_NOTE sections or, without sections, PT_NOTE segments. */
import { NT_GNU_BUILD_ID, PT_NOTE, SHT } from './constants.js';
import type { ByteRange, ElfReader } from './reader.js';
import type { ElfSection, ElfSegment } from './types.js';

const GNU = [0x47, 0x4e, 0x55, 0]; // "GNU\0"

/** The build-id as lowercase hex, or null when the file has none. */
export function findBuildId(
  r: ElfReader,
  sections: readonly ElfSection[],
  segments: readonly ElfSegment[],
): string | null {
  const areas: { range: ByteRange; align: number }[] = [];
  const notes = sections.filter((s) => s.type === SHT.NOTE);
  if (notes.length > 0) {
    for (const s of notes)
      areas.push({
        range: r.range(s.offset, s.size, `note section ${s.index} (${s.name})`),
        align: s.addralign === 8n ? 8 : 4,
      });
  } else {
    for (const p of segments.filter((p) => p.type === PT_NOTE)) {
      areas.push({
        range: r.range(p.offset, p.filesz, `note segment ${p.index}`),
        align: p.align === 8n ? 8 : 4,
      });
    }
  }
  // Hostile files may point many note headers at one big area: scan each area once.
  // The build-id is optional, so past a budget of a few times the file size, stop looking.
  const seen = new Set<string>();
  let budget = 4 * r.size + 65536;
  for (const { range, align } of areas) {
    const key = `${range.start}:${range.end}:${align}`;
    if (seen.has(key)) continue;
    seen.add(key);
    budget -= range.end - range.start;
    if (budget < 0) break;
    const id = scan(r, range, align);
    if (id !== null) return id;
  }
  return null;
}

function pad(n: number, align: number): number {
  return Math.ceil(n / align) * align;
}

/** Walks the notes of one area; each step moves forward by at least 12 bytes, so it ends. */
function scan(r: ElfReader, { start, end }: ByteRange, align: number): string | null {
  let at = start;
  while (at + 12 <= end) {
    const namesz = r.u32(at);
    const descsz = r.u32(at + 4);
    const type = r.u32(at + 8);
    const name = at + 12;
    const desc = at + pad(12 + namesz, align);
    const next = at + pad(desc - at + descsz, align);
    if (desc > end || next > end) return null;
    if (type === NT_GNU_BUILD_ID && namesz === 4 && GNU.every((b, i) => r.bytes[name + i] === b)) {
      return Array.from(r.bytes.subarray(desc, desc + descsz), (b) =>
        b.toString(16).padStart(2, '0'),
      ).join('');
    }
    at = next;
  }
  return null;
}
