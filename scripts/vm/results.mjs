// Reads the TAP file node --test wrote in the guest and turns one boot into a
// verdict: counts, failing and skipped test names, and the reasons a kernel's
// run counts as failed even when no test said so (crash, hang, no result).

/**
 * Parses node's TAP output: summary counts, failed and skipped names, the three
 * slowest tests. Without a summary (the guest was killed or crashed) the counts
 * come from the result lines so far, `partial` is true and `running` names the
 * test that had started but not finished. Null when there is no TAP at all.
 */
export function parseTap(text) {
  if (!text.startsWith('TAP version')) return null;
  // The summary is at the end; the last match wins over a test that printed a look-alike line.
  const count = (key) => {
    const all = [...text.matchAll(new RegExp(`^# ${key} (\\d+)$`, 'gm'))];
    return all.length > 0 ? Number(all[all.length - 1][1]) : null;
  };
  const failed = [];
  const skipped = [];
  const timed = []; // top-level tests with their duration_ms
  let passedLines = 0;
  let last = null;
  let running = null;
  for (const line of text.split('\n')) {
    const d = /^ {2}duration_ms: ([\d.]+)$/.exec(line);
    if (d && last) timed.push({ name: last, ms: Number(d[1]) });
    const sub = /^# Subtest: (.*)$/.exec(line);
    if (sub) running = sub[1];
    const m = /^(\s*)(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(line);
    if (!m) continue;
    const [, indent, status, name, directive, reason] = m;
    last = indent === '' ? name : null;
    if (indent === '') running = null;
    if (directive === 'SKIP') skipped.push(reason ? `${name}: ${reason}` : name);
    else if (status === 'not ok' && directive !== 'TODO') failed.push(name);
    else if (status === 'ok' && directive === undefined) passedLines++;
  }
  const slowest = timed.sort((a, b) => b.ms - a.ms).slice(0, 3);
  const pass = count('pass');
  const fail = count('fail');
  if (pass === null || fail === null) {
    const skip = skipped.length;
    return {
      partial: true,
      running,
      pass: passedLines,
      fail: failed.length,
      skip,
      todo: 0,
      failed,
      skipped,
      slowest,
    };
  }
  return {
    partial: false,
    running: null,
    pass,
    fail: fail + (count('cancelled') ?? 0),
    skip: count('skipped') ?? 0,
    todo: count('todo') ?? 0,
    failed,
    skipped,
    slowest,
  };
}

/**
 * Combines the serial markers and the TAP result of one boot.
 * Returns { ok, problems: [text], counts }.
 */
export function verdict(bootResult, tapText) {
  const problems = [];
  const { markers, trouble, timedOut, timeoutSec, qemuExit, qemuStderr } = bootResult;
  const setupFailed = markers.get('SETUP-FAILED');
  if (setupFailed) problems.push(`guest setup failed: ${setupFailed.args}`);
  if (timedOut) {
    const after = timeoutSec ? ` after ${Math.round(timeoutSec)}s` : '';
    problems.push(`guest timed out${after} (QEMU killed by the host; see --budget, --timeout)`);
  } else if (!markers.has('END') && !setupFailed) {
    problems.push(`guest stopped without the END marker (crash or panic; QEMU exit ${qemuExit})`);
  }
  if (!markers.has('BEGIN') && qemuStderr) problems.push(`QEMU: ${qemuStderr.slice(-500)}`);
  for (const line of trouble.slice(0, 5)) problems.push(`kernel: ${line}`);
  const exit = markers.get('EXIT');
  const exitCode = exit ? Number(exit.args) : null;
  const counts = tapText === null ? null : parseTap(tapText);
  if (counts === null) {
    problems.push(
      tapText === null ? 'no result file from the guest' : 'the result file is not TAP',
    );
  } else if (counts.partial) {
    const at = counts.running ? ` while "${counts.running}" ran` : '';
    problems.push(`results stop without a TAP summary${at}; counts are of the tests that finished`);
  }
  if (exit && exitCode !== 0 && (counts === null || counts.fail === 0)) {
    problems.push(`node --test exited ${exitCode} in the guest`);
  }
  if (counts && counts.fail > 0) problems.push(`${counts.fail} test(s) failed`);
  if (counts && counts.fail === 0 && counts.pass === 0)
    problems.push('no test passed in the guest');
  return { ok: problems.length === 0, problems, counts, exitCode };
}
