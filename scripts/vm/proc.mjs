// Small helpers to run host commands and to time things.
import { spawn, spawnSync } from 'node:child_process';

/** Runs a command to completion; resolves with { code, stdout, stderr } (never rejects on exit code). */
export function run(cmd, args, opts = {}) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...opts });
    const out = [];
    const err = [];
    child.stdout.on('data', (b) => out.push(b));
    child.stderr.on('data', (b) => err.push(b));
    child.on('error', (e) => resolve({ code: -1, stdout: '', stderr: String(e) }));
    child.on('close', (code, signal) =>
      resolve({
        code: code ?? (signal ? 128 : -1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      }),
    );
  });
}

/** Like run() but throws with the command's stderr when it fails. */
export async function runOk(cmd, args, opts = {}) {
  const r = await run(cmd, args, opts);
  if (r.code !== 0) {
    throw new Error(
      `${cmd} ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim().slice(-2000)}`,
    );
  }
  return r;
}

/** True when `cmd` is found in PATH. */
export function hasCommand(cmd) {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

/** Seconds elapsed since `start` (a performance.now() value), one decimal. */
export function since(start) {
  return Math.round((performance.now() - start) / 100) / 10;
}

/** Prints a lane progress line on stderr-free stdout with a fixed prefix. */
export function log(msg) {
  process.stdout.write(`[vm] ${msg}\n`);
}
