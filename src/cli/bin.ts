#!/usr/bin/env node
import { main } from './main.js';
import { reportError } from './report.js';

main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.exitCode = reportError(e, process.stderr, true);
  },
);
