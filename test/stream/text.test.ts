import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeText, decodeTextLine, TraceTextDecoder } from '../../src/stream/text.js';
import { parseLinePrefix } from '../../src/stream/text-line.js';
import { splitPairs } from '../../src/stream/text-payload.js';
import { isFault, type StreamItem, type TraceEvent } from '../../src/stream/types.js';
import { loadFixtures } from './fixtures.js';

const fx = loadFixtures();
const opts = { formats: fx.formats };
const ev = (line: string, o = opts) => decodeTextLine(line, o) as TraceEvent;

test('line prefixes: tgid, no tgid, no irq-info, comm with spaces and dashes, unknown tgid', () => {
  const a = parseLinePrefix('         python3-23637   [000] .....   428.887039: sys_getpid()')!;
  assert.deepEqual(
    [a.comm, a.pid, a.tgid, a.cpu, a.flags, a.timestampNs, a.rest],
    ['python3', 23637, null, 0, '.....', 428_887_039_000n, 'sys_getpid()'],
  );
  const b = parseLinePrefix('      python3.11-25359   (  25351) [001] DBZff   440.435095: x: y')!;
  assert.deepEqual(
    [b.comm, b.pid, b.tgid, b.cpu, b.flags],
    ['python3.11', 25359, 25351, 1, 'DBZff'],
  );
  const c = parseLinePrefix('  Web Content-my-x-12 (-------) [003]    1.000001: e: ')!;
  assert.deepEqual(
    [c.comm, c.pid, c.tgid, c.cpu, c.flags, c.rest],
    ['Web Content-my-x', 12, null, 3, null, 'e: '],
  );
  const d = parseLinePrefix('           <...>-7 [000] ..s1. 123456789: e: v=1')!;
  assert.deepEqual([d.comm, d.timestampNs, d.flags], ['<...>', 123456789n, '..s1.']);
  assert.equal(parseLinePrefix('not a trace line'), null);
});

test('probe lines typed by their formats', () => {
  const e = ev(
    '               t-7094    (   7094) [000] DBZff   491.334262: tentry: (0x560579485189) a=-20 ax=0xffffffec au=236 s="quote"inside x=1" arr={0,-1,1000000} xarr={0x0,0x10} bf=9 big=18364758544493064720 c=\'a\' istr=(fault) sa={"quote"inside x=1","odd"}',
  );
  assert.equal(e.event, 'tentry');
  assert.equal(e.group, 'probe');
  assert.equal(e.ip, 0x560579485189n);
  assert.deepEqual(e.fields, {
    a: -20n,
    ax: 0xffffffec,
    au: 236,
    s: 'quote"inside x=1',
    arr: [0, -1, 1000000],
    xarr: [0, 16],
    bf: 9,
    big: 18364758544493064720n,
    c: 97,
    istr: { fault: true },
    sa: ['quote"inside x=1', 'odd'],
  });
  const r = ev(
    '               t-7094    [000] .....   491.334292: tret: (0x56057948540a <- 0x560579485189) ret=83',
  );
  assert.deepEqual(
    [r.retIp, r.func, r.ip, r.fields['ret']],
    [0x56057948540an, 0x560579485189n, null, 83n],
  );
});

test('kprobe lines with symbols and events without a format', () => {
  const k = decodeTextLine(
    '  cat-1 [000] d.... 1.000000: myretprobe: (sys_openat+0xc/0xe <- do_sys_open) $retval=fffffffffffffffe',
  ) as TraceEvent & { symbols?: object };
  assert.deepEqual(k.symbols, { retIp: 'sys_openat+0xc/0xe', func: 'do_sys_open' });
  assert.deepEqual(k.fields, { $retval: 'fffffffffffffffe' });
  const p = decodeTextLine(
    '  cat-1 [000] d.... 1.000000: p_x: (do_sys_open+0x0/0x1d6) fn="/etc/passwd" n=5 big=0x10 arr={1,2}',
  ) as TraceEvent & { symbols?: object };
  assert.deepEqual(p.symbols, { ip: 'do_sys_open+0x0/0x1d6' });
  assert.deepEqual(p.fields, { fn: '/etc/passwd', n: 5, big: 0x10n, arr: [1, 2] });
  const s = decodeTextLine(
    '  bash-12 [001] d..2. 2.5: sched_switch: prev_comm=bash prev_pid=12 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
  ) as TraceEvent;
  assert.equal(s.event, 'sched_switch');
  assert.equal(s.timestampNs, 2_500_000_000n);
  assert.deepEqual(
    [s.fields['prev_comm'], s.fields['next_comm'], s.fields['next_pid']],
    ['bash', 'swapper/1', 0],
  );
});

test('syscall lines: enter with hex arguments, exit with a return value', () => {
  const e = ev(
    '  t-7094 [000] ..... 491.334293: sys_openat(dfd: 0xffffff9c, filename: 0x560579486004, flags: 0, mode: 0)',
  );
  assert.deepEqual([e.group, e.event], ['syscalls', 'sys_enter_openat']);
  // `int dfd` and `int flags` sit in 8-byte slots: read with their declared width and sign.
  assert.deepEqual(e.fields, { dfd: -100, filename: 0x560579486004n, flags: 0, mode: 0n });
  const old = ev(
    '  t-7094 [000] ..... 491.334293: sys_openat(dfd: ffffff9c, filename: 7ffd1234, flags: 80000, mode: 0)',
  );
  assert.deepEqual(old.fields, {
    dfd: -100,
    filename: 0x7ffd1234n,
    flags: 0x80000,
    mode: 0n,
  });
  const x = ev('  t-7094 [000] ..... 491.334297: sys_openat -> 0xfffffffffffffffe');
  assert.deepEqual([x.event, x.fields['ret']], ['sys_exit_openat', -2n]);
  const g = ev('  t-1 [000] ..... 1.000000: sys_getpid()');
  assert.deepEqual([g.event, g.fields], ['sys_enter_getpid', {}]);
});

test('LOST lines, header lines, bad lines', () => {
  assert.deepEqual(decodeTextLine('CPU:1 [LOST 123 EVENTS]'), {
    type: 'lost',
    cpu: 1,
    count: 123,
    source: 'pipe',
  });
  assert.equal(decodeTextLine('# tracer: nop'), null);
  assert.equal(decodeTextLine(''), null);
  assert.equal(decodeTextLine(' => do_syscall_64'), null);
  const bad = decodeTextLine('hello world');
  assert.equal(bad?.type, 'decode-error');
  const badPayload = decodeTextLine('  t-1 [000] ..... 1.000000: tentry: no prefix here', opts);
  assert.deepEqual([badPayload?.type, badPayload?.cpu], ['decode-error', 0]);
});

test('the captured trace files decode completely', () => {
  for (const text of [fx.trace, fx.traceTgid, fx.traceNoIrq]) {
    const items = decodeText(text, opts);
    assert.deepEqual(
      items.filter((i) => i.type !== 'event'),
      [],
    );
    assert.equal(items.length, text.split('\n').filter((l) => l && !l.startsWith('#')).length);
  }
  const tg = decodeText(fx.traceTgid, opts) as TraceEvent[];
  assert.ok(tg.every((e) => e.tgid === e.pid && e.comm === 't'));
  assert.ok(tg.some((e) => e.event === 'tentry' && isFault(e.fields['istr'])));
});

test('TraceTextDecoder: chunks split anywhere give the same items as whole text', () => {
  const text = `${fx.traceTgid}CPU:0 [LOST 7 EVENTS]\n  é-x-1 [000] ..... 1.000001: e: s="ünï"`;
  const whole = decodeText(text, opts);
  const bytes = new TextEncoder().encode(text);
  for (const step of [1, 3, 17, 4096]) {
    const d = new TraceTextDecoder(opts);
    const got: StreamItem[] = [];
    for (let i = 0; i < bytes.length; i += step) got.push(...d.push(bytes.subarray(i, i + step)));
    got.push(...d.end());
    assert.deepEqual(got, whole, `step ${step}`);
    assert.equal(d.stats.lost, 7);
  }
  const last = whole.at(-1) as TraceEvent;
  assert.deepEqual([last.comm, last.fields['s']], ['é-x', 'ünï']);
});

test('splitPairs respects quotes, braces and chars', () => {
  assert.deepEqual(splitPairs('a=1 s="x y=2" arr={"p q",r} c=\' \' t=(fault)'), [
    ['a', '1'],
    ['s', '"x y=2"'],
    ['arr', '{"p q",r}'],
    ['c', "' '"],
    ['t', '(fault)'],
  ]);
  assert.deepEqual(splitPairs('s="a" b" n=1', new Set(['s', 'n'])), [
    ['s', '"a" b"'],
    ['n', '1'],
  ]);
});

// A quadratic split would take minutes on this line; the timeout turns that into a failure.
test('long lines decode in linear time', { timeout: 20_000 }, () => {
  const words = 'w '.repeat(200_000);
  const e = ev(
    `  t-1 [000] ..... 1.000000: tentry: (0x1) a=1 s="${words}"${'"'.repeat(1000)} c='x'`,
  );
  assert.equal(e.type, 'event');
  assert.equal(e.fields['c'], 120);
});
