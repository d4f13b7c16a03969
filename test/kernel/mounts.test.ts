import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mountsOfType, parseMounts } from '../../src/kernel/mounts.js';
import { privilegesFromStatus } from '../../src/kernel/privileges.js';
import { locateDebugfs, locateTracefs } from '../../src/kernel/tracefs-mount.js';
import { fixture } from './fixtures.js';

const NOT_ROOT = privilegesFromStatus('Uid:\t1000\t1000\t1000\t1000\nCapEff:\t0000000000000000\n');

test('parseMounts finds the tracefs mount in a capture from 6.18', () => {
  const mounts = parseMounts(fixture('proc-mounts-6.18.txt'));
  assert.deepEqual(mountsOfType(mounts, 'tracefs'), ['/sys/kernel/tracing']);
  assert.deepEqual(mountsOfType(mounts, 'debugfs'), []);
  assert.ok(mounts.find((m) => m.path === '/')?.options.includes('relatime'));
});

test('parseMounts decodes \\040 in mount points', () => {
  const mounts = parseMounts(fixture('proc-mounts-escaped.txt'));
  assert.deepEqual(mountsOfType(mounts, 'tracefs'), ['/mnt/my traces']);
});

test('locateTracefs prefers a tracefs mount over debugfs and never assumes a path', async () => {
  const loc = await locateTracefs({
    mountsText: fixture('proc-mounts-escaped.txt'),
    privileges: NOT_ROOT,
  });
  assert.deepEqual(loc, { path: '/mnt/my traces', mounted: false, via: 'tracefs' });
});

test('locateTracefs without any mount and without root refuses with the mount command', async () => {
  await assert.rejects(
    locateTracefs({ mountsText: 'proc /proc proc rw 0 0\n', privileges: NOT_ROOT, mount: true }),
    (e: Error & { code?: string; hint?: string; exitCode?: number }) => {
      assert.equal(e.code, 'E_UNSUPPORTED');
      assert.equal(e.exitCode, 1);
      assert.match(e.message, /tracefs is not mounted/);
      assert.match(e.hint ?? '', /sudo mount -t tracefs nodev \/sys\/kernel\/tracing/);
      return true;
    },
  );
});

test('locateTracefs as root with mounting not allowed says how to mount', async () => {
  const root = privilegesFromStatus(fixture('proc-status-root.txt'));
  await assert.rejects(
    locateTracefs({ mountsText: '', privileges: root, mount: false }),
    (e: Error & { hint?: string }) => {
      assert.match(e.hint ?? '', /^mount it: mount -t tracefs/);
      return true;
    },
  );
});

test('locateDebugfs reads debugfs from /proc/mounts', async () => {
  const loc = await locateDebugfs({
    mountsText: fixture('proc-mounts-debugfs-only.txt'),
    privileges: NOT_ROOT,
  });
  assert.deepEqual(loc, { path: '/sys/kernel/debug', mounted: false, via: 'debugfs' });
  await assert.rejects(
    locateDebugfs({ mountsText: fixture('proc-mounts-6.18.txt'), privileges: NOT_ROOT }),
    /debugfs is not mounted/,
  );
});
