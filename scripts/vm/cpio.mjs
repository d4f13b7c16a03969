// Writes an uncompressed cpio archive in the "newc" format, the one the Linux
// kernel unpacks as an initramfs. Writing it here means the lane needs no cpio
// binary and no root: device nodes are just header fields.
//
// One entry = a 110-byte ASCII header ("070701" + 13 eight-digit hex fields),
// the path and a NUL padded to a 4-byte boundary, then the data padded to 4.

const S_IFDIR = 0o040000;
const S_IFREG = 0o100000;
const S_IFLNK = 0o120000;
const S_IFCHR = 0o020000;

function hex8(n) {
  return n.toString(16).padStart(8, '0');
}

function pad4(len) {
  return (4 - (len % 4)) % 4;
}

/** Collects entries and produces the archive bytes with `toBuffer()`. */
export class CpioWriter {
  #chunks = [];
  #ino = 1;

  #entry(path, mode, data, rdev = [0, 0]) {
    const name = Buffer.from(`${path.replace(/^\/+/, '')}\0`, 'utf8');
    const fields = [
      this.#ino++, // c_ino
      mode, // c_mode: type and permission bits
      0, // c_uid
      0, // c_gid
      mode & S_IFDIR ? 2 : 1, // c_nlink
      0, // c_mtime: fixed, so the same inputs give the same archive
      data.length, // c_filesize
      0, // c_devmajor
      0, // c_devminor
      rdev[0], // c_rdevmajor
      rdev[1], // c_rdevminor
      name.length, // c_namesize, NUL included
      0, // c_check: unused by newc
    ];
    const header = Buffer.from(`070701${fields.map(hex8).join('')}`, 'ascii');
    this.#chunks.push(header, name, Buffer.alloc(pad4(header.length + name.length)));
    if (data.length > 0) this.#chunks.push(data, Buffer.alloc(pad4(data.length)));
  }

  dir(path, perm = 0o755) {
    this.#entry(path, S_IFDIR | perm, Buffer.alloc(0));
  }

  file(path, data, perm = 0o644) {
    this.#entry(path, S_IFREG | perm, Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8'));
  }

  symlink(path, target) {
    this.#entry(path, S_IFLNK | 0o777, Buffer.from(target, 'utf8'));
  }

  charDevice(path, major, minor, perm = 0o600) {
    this.#entry(path, S_IFCHR | perm, Buffer.alloc(0), [major, minor]);
  }

  toBuffer() {
    this.#entry('TRAILER!!!', 0, Buffer.alloc(0));
    return Buffer.concat(this.#chunks);
  }
}
