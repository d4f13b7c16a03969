// The measurements that need no workload: offline decode speed (bench/decode.mjs),
// BTF index time (bench/btf-index.mjs, fresh processes) and CLI start time (hyperfine).
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fmt, median, table } from './stats.mjs';

const here = (p) => fileURLToPath(new URL(p, import.meta.url));
const CLI = here('../../dist/src/cli/bin.js');

function node(script, args) {
  return execFileSync(process.execPath, [here(script), ...args], { encoding: 'utf8' });
}

function decodeSpeed(quick) {
  const out = node('../decode.mjs', quick ? ['1000', '3'] : ['2000', '5']);
  const small = /^best: ([\d.]+) M events\/s \((\d+) events per page/m.exec(out);
  const real = /captured pages .*best ([\d.]+) M events\/s/.exec(out);
  return [
    [
      `offline decode, small records (${small?.[2] ?? '?'} per page), 1 core`,
      small ? `${small[1]} M events/s` : '-',
      '>= 3 M events/s',
    ],
    ['offline decode, captured pages (strings, arrays)', real ? `${real[1]} M events/s` : '-', ''],
  ];
}

function btfIndex(quick) {
  const runs = [];
  for (let i = 0; i < (quick ? 3 : 7); i++) runs.push(JSON.parse(node('../btf-index.mjs', [])));
  const med = (k) => median(runs.map((r) => r[k]));
  return [
    [
      `BTF: read vmlinux (${(runs[0].bytes / 1e6).toFixed(1)} MB)`,
      `${fmt(med('readMs'), 1)} ms`,
      '',
    ],
    ['BTF: parseBtf (index type offsets)', `${fmt(med('parseMs'), 1)} ms`, ''],
    ['BTF: first function lookup (name index)', `${fmt(med('lookupMs'), 1)} ms`, ''],
  ];
}

function cliStart(quick) {
  if (spawnSync('sh', ['-c', 'command -v hyperfine']).status !== 0)
    return [['CLI start (hyperfine)', 'skipped: not installed', '< 150 ms']];
  const dir = mkdtempSync(join(tmpdir(), 'pkbench-hf-'));
  const json = join(dir, 'hf.json');
  const explain = `'k:do_sys_open(dfd, filename:string, flags, mode)'`;
  const cmds = [
    `${process.execPath} -e 0`,
    `${process.execPath} ${CLI} --help`,
    `${process.execPath} ${CLI} explain ${explain}`,
  ];
  try {
    execFileSync(
      'hyperfine',
      [
        '-N',
        '--style',
        'none',
        '--warmup',
        '3',
        '--runs',
        quick ? '10' : '30',
        '--export-json',
        json,
        ...cmds,
      ],
      { stdio: 'ignore' },
    );
    const res = JSON.parse(readFileSync(json, 'utf8')).results;
    const labels = ['node -e 0 (floor)', 'probekit --help', `probekit explain ${explain}`];
    return res.map((r, i) => [
      `CLI start: ${labels[i]}`,
      `${fmt(r.median * 1000, 1)} ms (mean ${fmt(r.mean * 1000, 1)} ± ${fmt(r.stddev * 1000, 1)})`,
      i === 0 ? '' : '< 150 ms',
    ]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function offline(quick) {
  const rows = [...decodeSpeed(quick), ...btfIndex(quick), ...cliStart(quick)];
  return `## offline decode, BTF, CLI start\n\n${table(['measure', 'median', 'target'], rows)}`;
}
