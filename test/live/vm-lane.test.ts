// Host-side logic of the QEMU lane (scripts/vm/*.mjs): the cpio writer, the
// .modinfo reader and load order, TAP parsing and the per-kernel verdict.
// Pure: runs anywhere, including inside the lane's guests.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

// dist/test/live/ -> project root -> scripts/vm/
const lane = (name: string) => new URL(`../../../scripts/vm/${name}`, import.meta.url).href;

interface CpioEntry {
  name: string;
  mode: number;
  rdev: [number, number];
  data: Buffer;
}

/** Reads a newc archive back (the kernel's view of it). */
function readCpio(buf: Buffer): CpioEntry[] {
  const out: CpioEntry[] = [];
  let at = 0;
  const align = (n: number) => (n + 3) & ~3;
  for (;;) {
    assert.equal(buf.toString('ascii', at, at + 6), '070701', `magic at ${at}`);
    const field = (i: number) =>
      Number.parseInt(buf.toString('ascii', at + 6 + i * 8, at + 14 + i * 8), 16);
    const [mode, size, rmaj, rmin, namesize] = [field(1), field(6), field(9), field(10), field(11)];
    const name = buf.toString('utf8', at + 110, at + 110 + namesize - 1);
    const dataAt = align(at + 110 + namesize);
    if (name === 'TRAILER!!!') return out;
    out.push({ name, mode, rdev: [rmaj, rmin], data: buf.subarray(dataAt, dataAt + size) });
    at = align(dataAt + size);
  }
}

/** A minimal ELF64 little-endian object with a .modinfo section holding `info` strings. */
function fakeModule(info: string[]): Buffer {
  const modinfo = Buffer.from(`${info.join('\0')}\0`, 'latin1');
  const shstrtab = Buffer.from('\0.modinfo\0.shstrtab\0', 'latin1');
  const modinfoAt = 0x40;
  const shstrAt = modinfoAt + modinfo.length;
  const shoff = (shstrAt + shstrtab.length + 7) & ~7;
  const image = Buffer.alloc(shoff + 3 * 64);
  image.writeUInt32BE(0x7f454c46, 0);
  image[4] = 2; // 64-bit
  image[5] = 1; // little-endian
  image.writeBigUInt64LE(BigInt(shoff), 0x28);
  image.writeUInt16LE(64, 0x3a);
  image.writeUInt16LE(3, 0x3c);
  image.writeUInt16LE(2, 0x3e);
  modinfo.copy(image, modinfoAt);
  shstrtab.copy(image, shstrAt);
  const section = (i: number, name: number, offset: number, size: number) => {
    const at = shoff + i * 64;
    image.writeUInt32LE(name, at);
    image.writeBigUInt64LE(BigInt(offset), at + 0x18);
    image.writeBigUInt64LE(BigInt(size), at + 0x20);
  };
  section(1, 1, modinfoAt, modinfo.length); // ".modinfo"
  section(2, 10, shstrAt, shstrtab.length); // ".shstrtab"
  return image;
}

test('cpio: entries read back with their types, device numbers, data and 4-byte alignment', async () => {
  const { CpioWriter } = await import(lane('cpio.mjs'));
  const w = new CpioWriter();
  w.dir('vm');
  w.file('vm/odd', 'abcde', 0o755);
  w.symlink('lib', 'usr/lib');
  w.charDevice('dev/console', 5, 1);
  const entries = readCpio(w.toBuffer());
  assert.deepEqual(
    entries.map((e) => [e.name, e.mode.toString(8)]),
    [
      ['vm', '40755'],
      ['vm/odd', '100755'],
      ['lib', '120777'],
      ['dev/console', '20600'],
    ],
  );
  assert.equal(entries[1]!.data.toString(), 'abcde');
  assert.equal(entries[2]!.data.toString(), 'usr/lib');
  assert.deepEqual(entries[3]!.rdev, [5, 1]);
});

test('modinfo: depends= is read from the .modinfo section; other files are refused', async () => {
  const { parseModinfo, moduleName } = await import(lane('modinfo.mjs'));
  const info = parseModinfo(fakeModule(['name=9p', 'depends=netfs,9pnet', 'vermagic=6.1.0 SMP']));
  assert.equal(info.get('depends'), 'netfs,9pnet');
  assert.equal(info.get('name'), '9p');
  assert.throws(
    () => parseModinfo(Buffer.from('not an ELF file at all, just text'), 'x.ko'),
    /x\.ko: not a 64-bit/,
  );
  assert.equal(moduleName('kernel/drivers/char/hw_random/virtio-rng.ko.xz'), 'virtio_rng');
});

test('modinfo: load order puts dependencies first, skips built-ins, names what is missing', async (t) => {
  const { loadOrder } = await import(lane('modinfo.mjs'));
  const dir = mkdtempSync(join(tmpdir(), 'probekit-vmlane-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, depends: string, gz = false) => {
    const image = fakeModule([`name=${name}`, `depends=${depends}`]);
    const path = join(dir, `${name}.ko${gz ? '.gz' : ''}`);
    writeFileSync(path, gz ? gzipSync(image) : image);
    return [name, path] as const;
  };
  const files = new Map([
    write('ninep', 'netfs,ninepnet'),
    write('ninepnet', 'netfs', true),
    write('netfs', ''),
  ]);
  const order = loadOrder(['ninep'], files, new Set<string>());
  assert.deepEqual(
    order.map((m: { name: string }) => m.name),
    ['netfs', 'ninepnet', 'ninep'],
  );
  const withBuiltin = loadOrder(['ninep'], files, new Set(['netfs']));
  assert.deepEqual(
    withBuiltin.map((m: { name: string }) => m.name),
    ['ninepnet', 'ninep'],
  );
  files.delete('netfs');
  assert.throws(() => loadOrder(['ninep'], files, new Set()), /module netfs \(needed by ninep\)/);
});

const TAP_OK = `TAP version 13
# Subtest: a
ok 1 - a
  ---
  duration_ms: 12.5
  ...
# Subtest: b
ok 2 - b # SKIP needs kprobes
# pass 7
not ok 3 - c
  ---
  ...
1..3
# tests 3
# suites 0
# pass 1
# fail 1
# cancelled 0
# skipped 1
# todo 0
`;

function bootResult(markers: string[], extra: Record<string, unknown> = {}) {
  return {
    markers: new Map(
      markers.map((m) => [m.split(' ')[0], { args: m.split(' ')[1] ?? '', uptime: 1, host: 1 }]),
    ),
    trouble: [],
    timedOut: false,
    qemuExit: 0,
    qemuStderr: '',
    ...extra,
  };
}

test('results: TAP summary counts (the last summary wins), failed, skipped and slowest tests', async () => {
  const { parseTap } = await import(lane('results.mjs'));
  const r = parseTap(TAP_OK);
  assert.equal(r.pass, 1);
  assert.equal(r.fail, 1);
  assert.equal(r.skip, 1);
  assert.deepEqual(r.failed, ['c']);
  assert.deepEqual(r.skipped, ['b: needs kprobes']);
  assert.deepEqual(r.slowest, [{ name: 'a', ms: 12.5 }]);
  assert.equal(parseTap('not TAP at all'), null);
  assert.equal(parseTap('TAP version 13\n# Subtest: cut off').running, 'cut off');
});

test('results: a kernel fails on failed tests, a hang, a crash, no result, or nothing passed', async () => {
  const { verdict } = await import(lane('results.mjs'));
  const full = ['BEGIN', 'TESTS-START', 'EXIT 0', 'END'];
  const passing = TAP_OK.replace('# fail 1', '# fail 0');
  assert.equal(verdict(bootResult(full), passing).ok, true);
  assert.match(verdict(bootResult(full), TAP_OK).problems.join('\n'), /1 test\(s\) failed/);
  const hung = verdict(
    bootResult(['BEGIN', 'TESTS-START'], { timedOut: true, timeoutSec: 90 }),
    null,
  );
  assert.match(hung.problems[0]!, /^guest timed out after 90s/);
  assert.equal(hung.problems[1], 'no result file from the guest');
  const cut = verdict(
    bootResult(['BEGIN', 'TESTS-START'], { timedOut: true }),
    'TAP version 13\n# Subtest: a\nok 1 - a\n# Subtest: b\nnot ok 2 - b\n# Subtest: slow one\n',
  );
  assert.deepEqual([cut.counts.pass, cut.counts.fail, cut.counts.partial], [1, 1, true]);
  assert.match(cut.problems.join('\n'), /without a TAP summary while "slow one" ran/);
  const crashed = verdict(
    bootResult(['BEGIN', 'TESTS-START'], {
      trouble: ['Kernel panic - not syncing: Fatal exception'],
    }),
    null,
  );
  assert.match(crashed.problems.join('\n'), /without the END marker[\s\S]*Kernel panic/);
  const exitOnly = verdict(bootResult(['BEGIN', 'TESTS-START', 'EXIT 1', 'END']), passing);
  assert.match(exitOnly.problems.join('\n'), /node --test exited 1/);
  const nonePassed = passing.replace('# pass 1', '# pass 0');
  assert.match(verdict(bootResult(full), nonePassed).problems.join('\n'), /no test passed/);
  const setup = verdict(bootResult(['BEGIN', 'SETUP-FAILED mount']), null);
  assert.match(setup.problems[0], /guest setup failed: mount/);
});

test('kernels: config facts read y/m values and report unset options as n', async () => {
  const { configFacts, CONFIG_FACTS } = await import(lane('kernels.mjs'));
  const facts = configFacts(
    'CONFIG_KPROBES=y\n# CONFIG_FPROBE is not set\nCONFIG_HIST_TRIGGERS=y\nCONFIG_KPROBES_X=m\n',
  );
  assert.equal(facts.KPROBES, 'y');
  assert.equal(facts.FPROBE, 'n');
  assert.equal(facts.HIST_TRIGGERS, 'y');
  assert.deepEqual(Object.keys(facts), CONFIG_FACTS);
});

test('boot: the host shares /usr and the project read-only and results writable', async () => {
  const { qemuArgs } = await import(lane('boot.mjs'));
  const args: string[] = qemuArgs({
    vmlinuz: '/k/vmlinuz',
    initrd: '/k/initrd',
    memory: '1G',
    cpus: 1,
    shares: [
      { tag: 'usr', path: '/usr', readonly: true },
      { tag: 'results', path: '/r', readonly: false },
    ],
  });
  assert.ok(args.includes('tcg'));
  assert.ok(args.includes('local,id=fs_usr,path=/usr,security_model=none,readonly=on'));
  assert.ok(args.includes('local,id=fs_results,path=/r,security_model=none'));
  assert.ok(!args.some((a) => a.includes('path=/,')), 'never shares the host root');
});
