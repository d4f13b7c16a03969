import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PipeReader } from '../../src/tracefs/pipe-reader.js';

/** A FIFO stands in for a tracefs pipe: non-blocking reads, EAGAIN when empty. */
function withFifo(run: (path: string, write: (b: Buffer) => void) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'pk-pipe-'));
  const path = join(dir, 'fifo');
  execFileSync('mkfifo', [path]);
  let wfd: number | null = null;
  try {
    run(path, (b) => {
      wfd ??= openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
      writeSync(wfd, b);
    });
  } finally {
    if (wfd !== null) closeSync(wfd);
    rmSync(dir, { recursive: true, force: true });
  }
}

test('fill() queues what is there now and take() hands it out oldest first', () => {
  withFifo((path, write) => {
    const r = new PipeReader(path, { chunkSize: 4 });
    assert.equal(r.fill(1 << 20), 0, 'an empty pipe reads nothing, without blocking');
    write(Buffer.from('aaaabbbbcc'));
    assert.equal(r.fill(1 << 20), 10);
    assert.equal(r.queued, 10);
    assert.deepEqual(
      r.take(2).map((b) => b.toString()),
      ['aaaa', 'bbbb'],
    );
    assert.equal(r.queued, 2);
    assert.deepEqual(
      r.take().map((b) => b.toString()),
      ['cc'],
    );
    assert.equal(r.queued, 0);
    r.close();
  });
});

test('fill() stops at its byte cap and at a chunk that shows the writer caught up', () => {
  withFifo((path, write) => {
    const capped = new PipeReader(path, { chunkSize: 4 });
    write(Buffer.from('aaaabbbbccccdddd'));
    assert.equal(capped.fill(8), 8, 'stops once 8 bytes are queued');
    assert.equal(capped.fill(8), 0, 'nothing more while the queue is at its cap');
    capped.take();
    assert.equal(capped.fill(1 << 20), 8);
    capped.close();

    const partial = new PipeReader(path, {
      chunkSize: 4,
      caughtUp: (chunk) => chunk.toString() === 'xxxx',
    });
    write(Buffer.from('aaaaxxxxbbbb'));
    assert.equal(partial.fill(1 << 20), 8, 'stops after the caught-up chunk');
    assert.equal(partial.fill(1 << 20), 4, 'the next fill goes on');
    partial.close();
  });
});

test('close() drops the queue; reads after it return nothing', () => {
  withFifo((path, write) => {
    const r = new PipeReader(path, { chunkSize: 4 });
    write(Buffer.from('aaaabbbb'));
    r.fill(1 << 20);
    r.close();
    assert.equal(r.open, false);
    assert.equal(r.queued, 0);
    assert.deepEqual(r.take(), []);
    assert.equal(r.fill(1 << 20), 0);
    assert.equal(r.readNow(), null);
  });
});

test('full reads are handed out without sharing a buffer', () => {
  withFifo((path, write) => {
    const r = new PipeReader(path, { chunkSize: 4 });
    write(Buffer.from('aaaabbbb'));
    const [a, b] = [r.readNow(), r.readNow()];
    assert.equal(a?.toString(), 'aaaa', 'the first read is not overwritten by the second');
    assert.equal(b?.toString(), 'bbbb');
    r.close();
  });
});
