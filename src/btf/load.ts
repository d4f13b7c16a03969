/**
 * Reading the running kernel's BTF: `/sys/kernel/btf/vmlinux`, and split BTF
 * for modules at `/sys/kernel/btf/<module>`. Parsed objects are cached per process.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, ProbekitError, UnsupportedError, UsageError } from '../errors.js';
import { type Btf, parseBtf } from './btf.js';

export const KERNEL_BTF_DIR = '/sys/kernel/btf';

const cache = new Map<string, Btf>();

export interface LoadBtfOptions {
  /** Directory holding `vmlinux` and module files (tests point this elsewhere). */
  readonly dir?: string;
  /** Re-read even when cached. */
  readonly fresh?: boolean;
}

function read(path: string, missing: () => ProbekitError): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT' || errnoCode(e) === 'ENOTDIR') throw missing();
    throw new ProbekitError('E_BTF_READ', `cannot read ${path}: ${(e as Error).message}`, {
      hint: errnoCode(e) === 'EACCES' ? 'run as root' : undefined,
      cause: e,
    });
  }
}

/** The running kernel's BTF (`/sys/kernel/btf/vmlinux`), parsed once per process. */
export function loadKernelBtf(options: LoadBtfOptions = {}): Btf {
  const dir = options.dir ?? KERNEL_BTF_DIR;
  const path = join(dir, 'vmlinux');
  const hit = cache.get(path);
  if (hit && !options.fresh) return hit;
  const bytes = read(
    path,
    () =>
      new UnsupportedError(
        'btf',
        `${path} does not exist: kernel built without CONFIG_DEBUG_INFO_BTF`,
        {
          hint: 'function prototypes and struct members are unavailable; give argument types explicitly (e.g. +0(%si):string)',
        },
      ),
  );
  const btf = parseBtf(bytes, { name: 'vmlinux' });
  cache.set(path, btf);
  return btf;
}

/** Names of the modules that have BTF files (empty when none or no BTF at all). */
export function listModuleBtf(options: LoadBtfOptions = {}): string[] {
  try {
    return readdirSync(options.dir ?? KERNEL_BTF_DIR)
      .filter((n) => n !== 'vmlinux')
      .sort();
  } catch {
    return [];
  }
}

/** A module's split BTF (`/sys/kernel/btf/<module>`), on top of the kernel's. */
export function loadModuleBtf(module: string, options: LoadBtfOptions = {}): Btf {
  if (!/^[A-Za-z0-9_-]+$/.test(module)) {
    throw new UsageError('E_BTF_MODULE_NAME', `'${module}' is not a module name`, {
      hint: 'module names are letters, digits, _ and -, as in /proc/modules',
    });
  }
  const dir = options.dir ?? KERNEL_BTF_DIR;
  const path = join(dir, module);
  const hit = cache.get(path);
  if (hit && !options.fresh) return hit;
  const base = loadKernelBtf(options);
  const bytes = read(
    path,
    () =>
      new UnsupportedError('btf-module', `no BTF for module '${module}' (${path} does not exist)`, {
        hint: 'the module is not loaded, is built in, or was built without CONFIG_DEBUG_INFO_BTF_MODULES',
        details: { module },
      }),
  );
  const btf = parseBtf(bytes, { base, name: module });
  cache.set(path, btf);
  return btf;
}
