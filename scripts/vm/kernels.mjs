// Which Debian kernels the lane boots, and how they are fetched and cached.
// Kernels are never installed: `apt-get download` + `dpkg-deb -x` into a
// temporary folder, then only vmlinuz, the config and the modules the guest
// needs are kept under <cache>/kernels/<package>_<version>/.
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { loadOrder, moduleName } from './modinfo.mjs';
import { log, run, runOk, since } from './proc.mjs';

/** The kernels of the lane: `id` names it on the command line; `meta` is the Debian package that tracks its newest ABI. */
export const KERNELS = [
  { id: '6.1', meta: 'linux-image-amd64' },
  { id: '6.12', meta: 'linux-image-6.12-amd64' },
];

/** Modules the guest loads to mount 9p shares; their dependencies come from .modinfo. */
export const GUEST_MODULES = ['virtio_pci', '9pnet_virtio', '9p'];

/** Config options recorded for each kernel (without the CONFIG_ prefix). */
export const CONFIG_FACTS = [
  'KPROBES',
  'KPROBE_EVENTS',
  'KRETPROBES',
  'UPROBE_EVENTS',
  'BPF_SYSCALL',
  'BPF_EVENTS',
  'DEBUG_INFO_BTF',
  'FPROBE',
  'FPROBE_EVENTS',
  'PROBE_EVENTS_BTF_ARGS',
  'HIST_TRIGGERS',
];

const MANIFEST = 'manifest.json';

/** Reads CONFIG_FACTS from a kernel config text: { KPROBES: 'y', FPROBE: 'n', ... } ('n' when unset). */
export function configFacts(configText) {
  const facts = {};
  for (const name of CONFIG_FACTS) {
    const m = new RegExp(`^CONFIG_${name}=(.*)$`, 'm').exec(configText);
    facts[name] = m ? m[1] : 'n';
  }
  return facts;
}

/** Asks apt which versioned package the meta package points to and its candidate version, or null. */
async function resolve(meta) {
  const deps = await run('apt-cache', ['depends', meta]);
  const pkg = /^\s*Depends:\s*(linux-image-\S+)/m.exec(deps.stdout)?.[1];
  if (pkg === undefined) return null;
  const policy = await run('apt-cache', ['policy', pkg]);
  const version = /^\s*Candidate:\s*(\S+)/m.exec(policy.stdout)?.[1];
  if (version === undefined || version === '(none)') return null;
  return { pkg, version };
}

/** Newest cached manifest for a meta package (used when apt cannot tell). */
function newestCached(cacheDir, meta) {
  const root = join(cacheDir, 'kernels');
  if (!existsSync(root)) return null;
  const found = readdirSync(root)
    .map((d) => join(root, d, MANIFEST))
    .filter((p) => existsSync(p))
    .map((p) => ({ p, m: JSON.parse(readFileSync(p, 'utf8')), t: statSync(p).mtimeMs }))
    .filter((x) => x.m.meta === meta)
    .sort((a, b) => b.t - a.t);
  return found[0] ? { ...found[0].m, dir: join(found[0].p, '..') } : null;
}

/** Removes cached kernels of `meta` other than `keep` (a newer ABI replaced them). */
function dropOlder(cacheDir, meta, keep) {
  const root = join(cacheDir, 'kernels');
  for (const d of readdirSync(root)) {
    const dir = join(root, d);
    const manifest = join(dir, MANIFEST);
    if (dir === keep || !existsSync(manifest)) continue;
    if (JSON.parse(readFileSync(manifest, 'utf8')).meta === meta) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

function walk(dir, out = []) {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

/** Extracts one downloaded .deb and keeps what the lane needs in `dest`. */
async function unpack(kernel, pkg, version, deb, work, dest) {
  const root = join(work, 'root');
  mkdirSync(root, { recursive: true });
  await runOk('dpkg-deb', ['-x', deb, root]);
  const boot = readdirSync(join(root, 'boot'));
  const vmlinuz = boot.find((f) => f.startsWith('vmlinuz-'));
  const config = boot.find((f) => f.startsWith('config-'));
  if (!vmlinuz || !config) throw new Error(`${pkg}: no vmlinuz or config in /boot`);
  const release = vmlinuz.slice('vmlinuz-'.length);
  const modRoot = join(root, 'lib/modules', release);
  const files = new Map(
    walk(join(modRoot, 'kernel'))
      .filter((p) => /\.ko(\.(xz|zst|gz))?$/.test(p))
      .map((p) => [moduleName(p), p]),
  );
  const builtinPath = join(modRoot, 'modules.builtin');
  const builtin = new Set(
    existsSync(builtinPath)
      ? readFileSync(builtinPath, 'utf8').split('\n').filter(Boolean).map(moduleName)
      : [],
  );
  const order = loadOrder(GUEST_MODULES, files, builtin);
  const tmp = `${dest}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(join(tmp, 'modules'), { recursive: true });
  renameSync(join(root, 'boot', vmlinuz), join(tmp, 'vmlinuz'));
  const configText = readFileSync(join(root, 'boot', config), 'utf8');
  writeFileSync(join(tmp, 'config'), configText);
  const modules = order.map(({ name, image }, i) => {
    const file = `${String(i).padStart(2, '0')}-${name}.ko`;
    writeFileSync(join(tmp, 'modules', file), image);
    return file;
  });
  const manifest = {
    id: kernel.id,
    meta: kernel.meta,
    package: pkg,
    version,
    release,
    modules,
    builtinOfWanted: GUEST_MODULES.filter((m) => builtin.has(m)),
    facts: configFacts(configText),
  };
  writeFileSync(join(tmp, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(dest, { recursive: true, force: true });
  renameSync(tmp, dest);
  return { ...manifest, dir: dest };
}

/**
 * Returns the cached kernel for each entry of `kernels` ({ id, meta, package,
 * version, release, modules, facts, dir, fetched }), downloading what is
 * missing. Both downloads go in one apt-get call; unpacking runs in parallel.
 */
export async function ensureKernels(kernels, cacheDir) {
  let resolved = await Promise.all(kernels.map((k) => resolve(k.meta)));
  if (resolved.some((r) => r === null) && process.getuid?.() === 0) {
    log('apt does not know a kernel package; running apt-get update');
    await run('apt-get', ['update', '-q']);
    resolved = await Promise.all(kernels.map((k) => resolve(k.meta)));
  }
  const out = [];
  const toFetch = [];
  for (const [i, k] of kernels.entries()) {
    const r = resolved[i];
    if (r === null) {
      const cached = newestCached(cacheDir, k.meta);
      if (!cached) throw new Error(`apt cannot resolve ${k.meta} and nothing is cached`);
      log(
        `${k.id}: apt cannot resolve ${k.meta}; using cached ${cached.package} ${cached.version}`,
      );
      out[i] = { ...cached, fetched: false };
      continue;
    }
    const dir = join(cacheDir, 'kernels', `${r.pkg}_${r.version.replace(/[^\w.+-]/g, '_')}`);
    if (existsSync(join(dir, MANIFEST))) {
      out[i] = { ...JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')), dir, fetched: false };
    } else {
      toFetch.push({ i, k, ...r, dir });
    }
  }
  if (toFetch.length > 0) {
    const work = join(cacheDir, `download-${process.pid}`);
    rmSync(work, { recursive: true, force: true });
    mkdirSync(work, { recursive: true });
    try {
      log(`downloading ${toFetch.map((f) => `${f.pkg}=${f.version}`).join(' ')}`);
      const t = performance.now();
      await runOk('apt-get', ['download', '-q', ...toFetch.map((f) => `${f.pkg}=${f.version}`)], {
        cwd: work,
      });
      const tDownload = since(t);
      const debs = readdirSync(work).filter((f) => f.endsWith('.deb'));
      await Promise.all(
        toFetch.map(async (f) => {
          const deb = debs.find((d) => d.startsWith(`${f.pkg}_`));
          if (!deb) throw new Error(`apt-get download left no .deb for ${f.pkg}`);
          const sub = join(work, f.k.id);
          out[f.i] = {
            ...(await unpack(f.k, f.pkg, f.version, join(work, deb), sub, f.dir)),
            fetched: true,
          };
        }),
      );
      for (const f of toFetch) dropOlder(cacheDir, f.k.meta, f.dir);
      log(
        `kernels: download ${tDownload}s, unpack ${Math.round((since(t) - tDownload) * 10) / 10}s`,
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return out;
}
