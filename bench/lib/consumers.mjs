// The consumers compared side by side. Each is a child process started for a
// pid already held at the load generator's gate; it is ready once attached,
// stopped with a signal once its output stops growing, and then asked what it
// delivered and what it says it lost.
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BenchInstance } from './instance.mjs';
import { UPROBE_SYMBOL } from './loadgen.mjs';
import { hasFdMatching } from './measured.mjs';

const CLI = fileURLToPath(new URL('../../dist/src/cli/bin.js', import.meta.url));
const COUNTER = fileURLToPath(new URL('../count-consumer.mjs', import.meta.url));
const TRACEPOINT = 'syscalls/sys_enter_getppid';

/** Lines in a file (optionally only those matching re), read in 1 MiB chunks. */
export function countLines(path, re) {
  if (re)
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => re.test(l)).length;
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(1 << 20);
  let n = 0;
  try {
    for (;;) {
      const got = readSync(fd, buf, 0, buf.length, null);
      if (got === 0) break;
      let i = buf.indexOf(10);
      while (i !== -1 && i < got) {
        n++;
        i = buf.indexOf(10, i + 1);
      }
    }
  } finally {
    closeSync(fd);
  }
  return n;
}

function lastLine(path) {
  const size = statSync(path).size;
  const fd = openSync(path, 'r');
  const len = Math.min(size, 4096);
  const buf = Buffer.alloc(len);
  readSync(fd, buf, 0, len, size - len);
  closeSync(fd);
  return buf.toString('utf8').trim().split('\n').pop() ?? '';
}

function installed(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function probekitSummary(out) {
  try {
    const s = JSON.parse(lastLine(out));
    if (s.type === 'summary') return { delivered: s.events, lost: s.lost };
  } catch {
    // Fall through.
  }
  return { delivered: null, lost: null, note: 'no summary line' };
}

function pkSpec(mode, exe) {
  return mode === 'syscall' ? 't:syscalls:sys_enter_getppid' : `u:${exe}:${UPROBE_SYMBOL}`;
}

/**
 * @typedef {{ pid: number, exe: string, mode: 'syscall'|'func', out: string, err: string, data: string, pkArgs: string[] }} Ctx
 */
export function consumers(benchName, compare = []) {
  let inst = null;
  return [
    { key: 'none', label: 'no tracing', modes: ['syscall', 'func'], argv: () => null },
    {
      key: 'cat',
      label: 'cat trace_pipe',
      modes: ['syscall'],
      argv: (c) => {
        inst = new BenchInstance(benchName, TRACEPOINT);
        inst.create(c.pid);
        return ['cat', inst.pipe];
      },
      ready: (pid) => hasFdMatching(pid, /\/trace_pipe$/),
      stopSignal: 'SIGTERM',
      result: (c) => ({ delivered: countLines(c.out), lost: inst.lost() }),
      cleanup: () => {
        inst?.remove();
        inst = null;
      },
    },
    {
      key: 'perf',
      label: 'perf record',
      modes: ['syscall'],
      missing: () => (installed('perf') ? null : 'not installed'),
      argv: (c) => [
        'perf',
        'record',
        '-e',
        'syscalls:sys_enter_getppid',
        '-p',
        String(c.pid),
        '-o',
        c.data,
      ],
      ready: (pid) => hasFdMatching(pid, /perf_event/),
      settleMs: 300,
      result: (c) => {
        const err = readFileSync(c.err, 'utf8');
        const m = /\((\d+) samples\)/.exec(err);
        const lost = [...err.matchAll(/lost (\d+)/gi)].reduce((a, x) => a + Number(x[1]), 0);
        return { delivered: m ? Number(m[1]) : 0, lost: m ? lost : null };
      },
    },
    {
      key: 'bpftrace',
      label: 'bpftrace printf',
      modes: ['syscall', 'func'],
      missing: () => (installed('bpftrace') ? null : 'not installed'),
      argv: (c) => [
        'bpftrace',
        '-e',
        `${c.mode === 'syscall' ? 'tracepoint:syscalls:sys_enter_getppid' : `uprobe:${c.exe}:${UPROBE_SYMBOL}`} /pid == ${c.pid}/ { printf("%d\\n", tid); }`,
      ],
      ready: (pid, c) =>
        readFileSync(c.out, 'utf8').includes('Attaching') && hasFdMatching(pid, /perf_event|bpf/),
      settleMs: 500,
      result: (c) => {
        const text = readFileSync(c.out, 'utf8') + readFileSync(c.err, 'utf8');
        const lost = [...text.matchAll(/Lost (\d+) events/g)].reduce((a, x) => a + Number(x[1]), 0);
        return { delivered: countLines(c.out, /^\d+$/), lost };
      },
    },
    ...probekit('', CLI, COUNTER),
    ...compare.flatMap((root) => {
      const name = basename(root);
      const cli = join(root, 'dist/src/cli/bin.js');
      const counter = join(root, 'bench/count-consumer.mjs');
      return probekit(`@${name}`, cli, counter).filter((k) => k.key !== `probekit-text@${name}`);
    }),
  ];
}

/** probekit's consumers, from one tree (this one, or another given with --compare). */
function probekit(tag, cli, counter) {
  return [
    ...['text', 'raw'].map((decode) => ({
      key: `probekit-${decode}${tag}`,
      label: `probekit ${decode} (CLI --json)${tag}`,
      modes: decode === 'raw' ? ['syscall', 'func'] : ['syscall'],
      argv: (c) => [
        process.execPath,
        cli,
        'trace',
        pkSpec(c.mode, c.exe),
        '-p',
        String(c.pid),
        '--json',
        '--decode',
        decode,
        '--backend',
        'tracefs',
        ...c.pkArgs,
      ],
      ready: (pid) =>
        hasFdMatching(pid, decode === 'raw' ? /\/trace_pipe_raw$/ : /probekit[^/]*\/trace_pipe$/),
      result: (c) => probekitSummary(c.out),
    })),
    {
      key: `probekit-bpf${tag}`,
      label: `probekit BPF (CLI --json)${tag}`,
      modes: ['syscall', 'func'],
      argv: (c) => [
        process.execPath,
        cli,
        'trace',
        pkSpec(c.mode, c.exe),
        '-p',
        String(c.pid),
        '--json',
        '--backend',
        'bpf',
        ...c.pkArgs,
      ],
      ready: (pid) => hasFdMatching(pid, /bpf-link|bpf_link|perf_event/),
      result: (c) => probekitSummary(c.out),
    },
    {
      key: `probekit-api${tag}`,
      label: `probekit raw (API, count only)${tag}`,
      modes: ['syscall', 'func'],
      argv: (c) => {
        const kb = c.pkArgs[c.pkArgs.indexOf('--buffer-kb') + 1];
        const args = [process.execPath, counter, pkSpec(c.mode, c.exe), String(c.pid), 'raw'];
        return c.pkArgs.includes('--buffer-kb') && kb ? [...args, kb] : args;
      },
      ready: (pid) => hasFdMatching(pid, /\/trace_pipe_raw$/),
      result: (c) => probekitSummary(c.out),
    },
  ];
}
