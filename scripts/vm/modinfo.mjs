// Reads a kernel module's .modinfo section (NUL-separated key=value strings)
// and works out which modules must be loaded, in order, for a set of wanted
// ones. Debian's kernel packages ship no modules.dep (depmod makes it at
// install time and we do not install), so the `depends=` keys are the source.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

// ELF64 header fields (little-endian, x86_64 only).
const ELF = {
  magic: 0x7f454c46, // "\x7fELF", read big-endian
  classOffset: 4, // EI_CLASS: 2 = 64-bit
  dataOffset: 5, // EI_DATA: 1 = little-endian
  shoff: 0x28, // u64: section header table offset
  shentsize: 0x3a, // u16: size of one section header
  shnum: 0x3c, // u16: number of section headers
  shstrndx: 0x3e, // u16: index of the section-name string table
  // Inside one section header:
  shName: 0x00, // u32: offset of the name in the string table
  shOffset: 0x18, // u64: where the section's bytes start
  shSize: 0x20, // u64: how many bytes
};

/** Decompression commands by file suffix; gzip is done in-process. */
const DECOMPRESSORS = { '.xz': ['xz', '-dc'], '.zst': ['zstd', '-dcq'] };

/** Reads a module file, decompressing .ko.xz / .ko.zst / .ko.gz. */
export function readModule(path) {
  if (path.endsWith('.gz')) return gunzipSync(readFileSync(path));
  for (const [suffix, argv] of Object.entries(DECOMPRESSORS)) {
    if (!path.endsWith(suffix)) continue;
    const r = spawnSync(argv[0], [...argv.slice(1), path], { maxBuffer: 1 << 28 });
    if (r.status !== 0) {
      throw new Error(`cannot decompress ${path} with ${argv[0]}: ${r.stderr || r.error}`);
    }
    return r.stdout;
  }
  return readFileSync(path);
}

/** Returns the .modinfo keys of an uncompressed module image as a Map (last value wins). */
export function parseModinfo(image, where = 'module') {
  const dv = new DataView(image.buffer, image.byteOffset, image.byteLength);
  if (
    image.length < 0x40 ||
    dv.getUint32(0, false) !== ELF.magic ||
    image[ELF.classOffset] !== 2 ||
    image[ELF.dataOffset] !== 1
  ) {
    throw new Error(`${where}: not a 64-bit little-endian ELF file`);
  }
  const shoff = Number(dv.getBigUint64(ELF.shoff, true));
  const shentsize = dv.getUint16(ELF.shentsize, true);
  const shnum = dv.getUint16(ELF.shnum, true);
  const shstrndx = dv.getUint16(ELF.shstrndx, true);
  const section = (i) => {
    const at = shoff + i * shentsize;
    return {
      name: dv.getUint32(at + ELF.shName, true),
      offset: Number(dv.getBigUint64(at + ELF.shOffset, true)),
      size: Number(dv.getBigUint64(at + ELF.shSize, true)),
    };
  };
  const strtab = section(shstrndx);
  const nameOf = (off) => {
    const start = strtab.offset + off;
    return image.toString('latin1', start, image.indexOf(0, start));
  };
  for (let i = 0; i < shnum; i++) {
    const s = section(i);
    if (nameOf(s.name) !== '.modinfo') continue;
    const info = new Map();
    for (const item of image.toString('latin1', s.offset, s.offset + s.size).split('\0')) {
      const eq = item.indexOf('=');
      if (eq > 0) info.set(item.slice(0, eq), item.slice(eq + 1));
    }
    return info;
  }
  throw new Error(`${where}: no .modinfo section`);
}

/** Module name as the kernel spells it: file name without .ko*, dashes as underscores. */
export function moduleName(path) {
  const base = path.slice(path.lastIndexOf('/') + 1);
  return base.replace(/\.ko(\.(xz|zst|gz))?$/, '').replaceAll('-', '_');
}

/**
 * Resolves `wanted` module names to the ordered list to insmod (dependencies
 * first). `files` maps module name -> path of the (possibly compressed) .ko;
 * `builtin` is the set of names built into the kernel (skipped).
 * Returns [{ name, image }] with decompressed images.
 */
export function loadOrder(wanted, files, builtin) {
  const order = [];
  const state = new Map(); // name -> 'visiting' | 'done'
  const visit = (name, from) => {
    if (builtin.has(name) || state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') throw new Error(`module dependency cycle at ${name}`);
    const path = files.get(name);
    if (path === undefined) {
      throw new Error(
        `module ${name}${from ? ` (needed by ${from})` : ''} is neither built in nor shipped`,
      );
    }
    state.set(name, 'visiting');
    const image = readModule(path);
    const deps = (parseModinfo(image, path).get('depends') ?? '').split(',').filter(Boolean);
    for (const dep of deps) visit(dep.replaceAll('-', '_'), name);
    state.set(name, 'done');
    order.push({ name, image });
  };
  for (const name of wanted) visit(name, '');
  return order;
}
