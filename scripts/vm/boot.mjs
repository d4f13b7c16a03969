// Boots one kernel under QEMU (TCG, no KVM) with three 9p shares, streams its
// serial console, and reads the @@PROBEKIT-VM markers printed by guest-init.sh.
// A host-side timeout kills this QEMU by its own pid; nothing else is touched.
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';

const MARKER = /@@PROBEKIT-VM (\S+)\s*(.*?)\s*uptime=([\d.]+)/;
/** Serial-console lines that mean the guest kernel itself went wrong. */
const KERNEL_TROUBLE =
  /Kernel panic|BUG: |Oops: |general protection fault|WARNING: CPU:|soft lockup|hung_task/;

/** Terminal control sequences (SeaBIOS clears the screen) and other control characters. */
const CONTROL = /\x1b\[[0-9;?]*[A-Za-z]|\x1bc|[\x00-\x08\x0b-\x1f\x7f]/g;

const APPEND = 'console=ttyS0 quiet panic=-1 oops=panic';

/** QEMU arguments for one guest. `shares` is [{ tag, path, readonly }]. */
export function qemuArgs({ vmlinuz, initrd, memory, cpus, shares }) {
  const args = ['-accel', 'tcg', '-nographic', '-nic', 'none', '-no-reboot'];
  args.push('-m', memory, '-smp', String(cpus));
  args.push('-kernel', vmlinuz, '-initrd', initrd, '-append', APPEND);
  for (const s of shares) {
    const ro = s.readonly ? ',readonly=on' : '';
    args.push('-fsdev', `local,id=fs_${s.tag},path=${s.path},security_model=none${ro}`);
    args.push('-device', `virtio-9p-pci,fsdev=fs_${s.tag},mount_tag=${s.tag}`);
  }
  return args;
}

/**
 * Boots and waits. Resolves with { markers: Map(name -> { args, uptime, host }),
 * trouble: [lines], timedOut, qemuExit, wall } where `host` is seconds since spawn.
 * `onLine` receives each serial line (for echoing).
 */
export function boot({ label, vmlinuz, initrd, shares, runDir, timeoutSec, memory, cpus, onLine }) {
  return new Promise((resolve) => {
    const start = performance.now();
    const markers = new Map();
    const trouble = [];
    const serial = createWriteStream(join(runDir, 'serial.log'));
    const child = spawn('qemu-system-x86_64', qemuArgs({ vmlinuz, initrd, memory, cpus, shares }), {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutSec * 1000);
    const stopOnExit = () => child.kill('SIGKILL');
    process.once('exit', stopOnExit);

    let pending = '';
    const decoder = new StringDecoder('utf8'); // keeps multi-byte characters split across chunks whole
    const onData = (buf) => {
      serial.write(buf);
      pending += decoder.write(buf);
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const raw of lines) handle(raw.replace(CONTROL, ''));
    };
    const handle = (line) => {
      const m = MARKER.exec(line);
      if (m) {
        markers.set(m[1], {
          args: m[2],
          uptime: Number(m[3]),
          host: (performance.now() - start) / 1000,
        });
      }
      if (KERNEL_TROUBLE.test(line)) trouble.push(line.trim());
      if (line.trim() !== '') onLine?.(line);
    };
    child.stdout.on('data', onData);
    const stderr = [];
    child.stderr.on('data', (b) => stderr.push(b));
    child.on('error', (e) => stderr.push(Buffer.from(String(e))));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.removeListener('exit', stopOnExit);
      pending += decoder.end();
      if (pending) handle(pending.replace(CONTROL, ''));
      serial.end();
      resolve({
        label,
        markers,
        trouble,
        timedOut,
        timeoutSec,
        qemuExit: code ?? signal,
        qemuStderr: Buffer.concat(stderr).toString('utf8').trim(),
        wall: (performance.now() - start) / 1000,
      });
    });
  });
}
