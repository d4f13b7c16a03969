/**
 * A tracefs instance owned by one run: its own buffer, enable and filter
 * files, pid filter and clock. Global tracing settings are never touched.
 */
import { existsSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { errnoCode, KernelError } from '../errors.js';
import { sleepSync } from './dynevents.js';
import { readText, writeControl } from './files.js';

export class Instance {
  readonly root: string;
  readonly name: string;
  readonly path: string;

  private constructor(root: string, name: string) {
    this.root = root;
    this.name = name;
    this.path = join(root, 'instances', name);
  }

  static create(root: string, name: string): Instance {
    const inst = new Instance(root, name);
    try {
      mkdirSync(inst.path);
    } catch (e) {
      throw new KernelError(
        'E_INSTANCE',
        `cannot create the tracefs instance ${name}: ${errnoCode(e) ?? String(e)}`,
        {
          hint:
            errnoCode(e) === 'EACCES' || errnoCode(e) === 'EPERM'
              ? 'tracing needs root: sudo probekit ...'
              : undefined,
          cause: e,
        },
      );
    }
    // Quiet until everything is set up.
    inst.write('tracing_on', '0');
    return inst;
  }

  file(...parts: string[]): string {
    return join(this.path, ...parts);
  }

  write(rel: string, value: string): void {
    writeControl(this.file(rel), value);
  }

  read(rel: string): string | null {
    return readText(this.file(rel));
  }

  has(rel: string): boolean {
    return existsSync(this.file(rel));
  }

  setOption(option: string, on: boolean): void {
    this.write(join('options', option), on ? '1' : '0');
  }

  setFilter(group: string, event: string, filter: string): void {
    const path = join('events', group, event, 'filter');
    try {
      this.write(path, filter);
    } catch (e) {
      // The filter file shows the rejected text, a caret line and "parse_error: ...".
      const shown = this.read(path) ?? '';
      const parseError = /parse_error: (.*)/.exec(shown)?.[1];
      throw new KernelError(
        'E_FILTER_REJECTED',
        `the kernel refused the filter for ${group}/${event}: ${parseError ?? errnoCode(e) ?? String(e)}`,
        {
          input: filter,
          hint: 'filters compare the event fields: probekit explain SPEC shows them',
          cause: e,
        },
      );
    }
  }

  enable(group: string, event: string, on = true): void {
    try {
      this.write(join('events', group, event, 'enable'), on ? '1' : '0');
    } catch (e) {
      if (!on) throw e;
      throw new KernelError(
        'E_ENABLE_FAILED',
        `the kernel could not enable ${group}/${event}: ${errnoCode(e) ?? String(e)}`,
        {
          hint: 'the probe point was accepted but cannot be armed (dmesg says why); leave this function out',
          cause: e,
          details: { group, event },
        },
      );
    }
  }

  /** Only these pids (and, with event-fork, their children) are traced. */
  setPids(pids: readonly number[], followChildren: boolean): void {
    if (this.has('options/event-fork')) this.setOption('event-fork', followChildren);
    this.write('set_event_pid', pids.join(' '));
  }

  cpus(): number[] {
    try {
      return readdirSync(this.file('per_cpu'))
        .map((d) => /^cpu(\d+)$/.exec(d)?.[1])
        .filter((n): n is string => n !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
    } catch {
      return [];
    }
  }

  /** Removes the instance (which disables its events). EBUSY while a file in it is open: retried briefly. */
  remove(): boolean {
    return removeInstanceDir(this.path);
  }
}

export function removeInstanceDir(path: string): boolean {
  for (let attempt = 0; ; attempt++) {
    try {
      rmdirSync(path);
      return true;
    } catch (e) {
      const code = errnoCode(e);
      if (code === 'ENOENT') return true;
      if (code === 'EBUSY' && attempt < 40) {
        sleepSync(25);
        continue;
      }
      return false;
    }
  }
}
