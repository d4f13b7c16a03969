// Runs a consumer as a child process and measures it: CPU seconds (user +
// system) and peak RSS, from /usr/bin/time when installed (exact, at exit),
// else from /proc/PID/stat and status sampled until the stop signal.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

const GNU_TIME = '/usr/bin/time';
const HZ = 100; // USER_HZ: the unit of utime/stime in /proc/PID/stat on Linux.

/** utime + stime of a process (all its threads), seconds; null when it is gone. */
export function cpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / HZ;
  } catch {
    return null;
  }
}

/** Peak resident set (VmHWM), KiB; null when the process is gone. */
export function peakRssKb(pid) {
  try {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Whether the process has an fd open on a path matching re (a reader is attached). */
export function hasFdMatching(pid, re) {
  try {
    return readdirSync(`/proc/${pid}/fd`).some((fd) => {
      try {
        return re.test(readlinkSync(`/proc/${pid}/fd/${fd}`));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

function childOf(pid) {
  try {
    const c = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    return c ? Number(c.split(' ')[0]) : null;
  } catch {
    return null;
  }
}

/**
 * Starts argv with stdout/stderr to the given fds. Resolves once the measured
 * process (not the time wrapper) has exec'd.
 */
export async function spawnMeasured(argv, { stdout, stderr, statsFile, track }) {
  const useTime = existsSync(GNU_TIME);
  const cmd = useTime ? [GNU_TIME, '-f', '%U %S %M', '-o', statsFile, ...argv] : argv;
  const child = spawn(cmd[0], cmd.slice(1), { stdio: ['ignore', stdout, stderr] });
  track(child);
  const exited = new Promise((res) => child.on('exit', (code, sig) => res({ code, sig })));
  let pid = child.pid;
  if (useTime) {
    for (let i = 0; i < 200; i++) {
      const c = childOf(child.pid);
      if (c !== null) {
        pid = c;
        break;
      }
      await sleep(5);
    }
  }
  track({ pid, kill: (s) => process.kill(pid, s) });
  let last = { cpuS: 0, rssKb: 0 };
  const sample = () => {
    const cpuS = cpuSeconds(pid);
    const rssKb = peakRssKb(pid);
    if (cpuS !== null && rssKb !== null) last = { cpuS, rssKb };
  };
  return {
    pid,
    sample,
    signal(sig) {
      sample();
      try {
        process.kill(pid, sig);
      } catch {
        // Already gone.
      }
    },
    /** Waits for exit; the consumer's CPU seconds and peak RSS (KiB). */
    async wait() {
      const { code, sig } = await exited;
      if (useTime) {
        const line = readFileSync(statsFile, 'utf8').trim().split('\n').pop() ?? '';
        const [u, s, m] = line.split(' ').map(Number);
        if ([u, s, m].every(Number.isFinite)) return { code, sig, cpuS: u + s, rssKb: m };
      }
      return { code, sig, ...last };
    },
  };
}
