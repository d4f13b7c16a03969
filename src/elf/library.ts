/**
 * Which file a user means: a path (absolute or relative), or a short library
 * name (`libc`, `c`, `libc.so.6`) found in the process's mappings, in
 * /etc/ld.so.cache, in the usual library folders, or (for programs) on $PATH.
 */
import {
  closeSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  realpathSync,
  statSync,
} from 'node:fs';
import { basename, delimiter, join, resolve } from 'node:path';
import { errnoCode } from '../errors.js';
import { nearNames } from '../util/names.js';
import { ELF_MAGIC } from './constants.js';
import { elfFormatError, elfUsageError } from './errors.js';
import { notElfError } from './header.js';
import { HOST_CACHE_FLAGS, type LdCacheEntry, parseLdCache } from './ldcache.js';
import { mappedFiles, openableMappedFile, pathInProcess } from './proc.js';

export interface ResolveLibraryOptions {
  /** Look in this process first (its mappings, its root directory). */
  readonly pid?: number;
  /** Another ld.so.cache, for tests. */
  readonly ldCachePath?: string;
  /** Other folders to search after the cache, for tests. */
  readonly searchDirs?: readonly string[];
}

const LIB_DIRS = ['/lib', '/usr/lib', '/lib64', '/usr/lib64', '/usr/local/lib'] as const;
const TRIPLETS = {
  x64: 'x86_64-linux-gnu',
  ia32: 'i386-linux-gnu',
  arm64: 'aarch64-linux-gnu',
  arm: 'arm-linux-gnueabihf',
  riscv64: 'riscv64-linux-gnu',
  s390x: 's390x-linux-gnu',
  ppc64: 'powerpc64le-linux-gnu',
  loong64: 'loongarch64-linux-gnu',
  mips64el: 'mips64el-linux-gnuabi64',
} as const satisfies Record<string, string>;

/** Does a file name (no folder) match a short library name? */
export function matchesLibraryName(file: string, name: string): boolean {
  return file === name || file.startsWith(`${name}.so`) || file.startsWith(`lib${name}.so`);
}

/** Returns a path that exists, is a regular file and starts like an ELF file. */
export function resolveLibrary(name: string, opts: ResolveLibraryOptions = {}): string {
  if (name === '') {
    throw elfUsageError(
      'E_ELF_FILE_NOT_FOUND',
      'empty library name or path',
      'give a path or a library name such as libc',
    );
  }
  if (name.includes('/')) {
    const host =
      name.startsWith('/') && opts.pid !== undefined
        ? pathInProcess(opts.pid, name)
        : resolve(name);
    checkElfPath(
      host,
      opts.pid !== undefined && name.startsWith('/') ? `${name} (in process ${opts.pid})` : name,
    );
    return host;
  }
  const tried: string[] = [];
  if (opts.pid !== undefined) {
    const pid = opts.pid;
    const mapped = mappedFiles(pid)
      .filter((f) => matchesLibraryName(basename(f.path), name))
      .map((f) => openableMappedFile(pid, f))
      .filter((p) => p !== undefined);
    const hit = pickOne(name, mapped, `mapped by process ${pid}`);
    if (hit !== undefined) return hit;
    tried.push(`the mappings of process ${opts.pid}`);
  }
  const root = opts.pid !== undefined ? pathInProcess(opts.pid, '/') : '';
  const prefix = root === '/' ? '' : root.replace(/\/$/, '');
  const cachePath = opts.ldCachePath ?? `${prefix}/etc/ld.so.cache`;
  const cache = readCache(cachePath);
  const fromCache = cache
    .filter((e) => matchesLibraryName(e.key, name) && hostFlags(e.flags))
    .map((e) => (prefix === '' ? e.value : pathInProcess(opts.pid!, e.value)));
  const hit = pickOne(name, fromCache, `in ${cachePath}`);
  if (hit !== undefined) return hit;
  tried.push(cachePath);

  const dirs = opts.searchDirs ?? defaultDirs().map((d) => `${prefix}${d}`);
  const fromDirs = dirs.flatMap((d) =>
    listDir(d)
      .filter((f) => matchesLibraryName(f, name))
      .map((f) => join(d, f)),
  );
  const hit2 = pickOne(name, fromDirs, 'in the library folders');
  if (hit2 !== undefined) return hit2;
  tried.push(dirs.join(', '));

  if (!name.includes('.') && opts.pid === undefined) {
    for (const d of (process.env['PATH'] ?? '').split(delimiter).filter((d) => d.startsWith('/'))) {
      const p = join(d, name);
      if (isElf(p)) return p;
    }
    tried.push('$PATH');
  }
  const near = nearLibraries(
    name,
    cache.filter((e) => hostFlags(e.flags)).map((e) => e.key),
  );
  throw elfUsageError(
    'E_ELF_LIBRARY_NOT_FOUND',
    `no library or program named ${name} (looked in ${tried.join('; ')})${near.length > 0 ? `; did you mean ${near.join(', ')}?` : ''}`,
    'give the full path of the file',
    { library: name, suggestions: near },
  );
}

/** Near library names, compared without the `lib` prefix and `.so` suffix (`fooo` → `libfoo`). */
function nearLibraries(name: string, keys: readonly string[]): string[] {
  const bare = (s: string) => s.replace(/\.so.*$/, '').replace(/^lib/, '');
  const shown = new Map<string, string>();
  for (const k of keys) if (!shown.has(bare(k))) shown.set(bare(k), k.replace(/\.so.*$/, ''));
  return nearNames(bare(name), shown.keys()).map((b) => shown.get(b)!);
}

function defaultDirs(): string[] {
  const t = (TRIPLETS as Record<string, string>)[process.arch];
  return [...(t === undefined ? [] : [`/lib/${t}`, `/usr/lib/${t}`]), ...LIB_DIRS];
}

function hostFlags(flags: number): boolean {
  const want = (HOST_CACHE_FLAGS as Record<string, readonly number[]>)[process.arch];
  return want === undefined || want.includes(flags);
}

function readCache(path: string): LdCacheEntry[] {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch {
    return []; // No cache (musl, minimal containers): fall back to the folders.
  }
  return parseLdCache(bytes, path);
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** Among candidate paths, keep the ELF files; one real file → it; several → ambiguous. */
function pickOne(name: string, paths: readonly string[], where: string): string | undefined {
  const byReal = new Map<string, string>();
  for (const p of paths) {
    if (!isElf(p)) continue;
    const real = realpathSync(p);
    if (!byReal.has(real)) byReal.set(real, p);
  }
  if (byReal.size <= 1) return [...byReal.values()][0];
  const exact = [...byReal.values()].filter((p) => basename(p) === name);
  if (exact.length === 1) return exact[0];
  throw elfUsageError(
    'E_ELF_LIBRARY_AMBIGUOUS',
    `${byReal.size} different files match ${name} ${where}:\n${[...byReal.values()].map((p) => `  ${p}`).join('\n')}`,
    'give the full path, or a longer name such as libssl.so.3',
    { library: name, candidates: [...byReal.values()] },
  );
}

function isElf(path: string): boolean {
  try {
    return statSync(path).isFile() && hasElfMagic(path);
  } catch {
    return false;
  }
}

/** The first 4 bytes of a file (fewer if it is shorter). */
function head4(path: string): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(4);
    return head.subarray(0, readSync(fd, head, 0, 4, 0));
  } finally {
    closeSync(fd);
  }
}

function hasElfMagic(path: string): boolean {
  const head = head4(path);
  return head.length === 4 && ELF_MAGIC.every((b, i) => head[i] === b);
}

/** Throws unless `path` exists, is a regular file and starts with the ELF magic. */
export function checkElfPath(path: string, display: string): void {
  let isFile: boolean;
  let dir = false;
  try {
    const st = statSync(path);
    isFile = st.isFile();
    dir = st.isDirectory();
  } catch (e) {
    const code = errnoCode(e);
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw elfUsageError(
        'E_ELF_FILE_NOT_FOUND',
        `${display}: no such file`,
        'check the path; a library may be given by short name, e.g. libc',
        {
          file: display,
        },
      );
    }
    throw elfFormatError(
      'E_ELF_READ',
      display,
      `cannot read the file (${code ?? String(e)})`,
      { errno: code },
      'check the permissions',
    );
  }
  if (!isFile) {
    throw elfUsageError(
      'E_ELF_NOT_REGULAR',
      `${display}: not a regular file (it is ${dir ? 'a directory' : 'a special file'})`,
      'give the path of an executable or shared library',
      { file: display },
    );
  }
  let head: Uint8Array;
  try {
    head = head4(path);
  } catch (e) {
    throw elfFormatError(
      'E_ELF_READ',
      display,
      `cannot read the file (${errnoCode(e) ?? String(e)})`,
      {},
      'check the permissions',
    );
  }
  if (!(head.length === 4 && ELF_MAGIC.every((b, i) => head[i] === b)))
    throw notElfError(display, head);
}
