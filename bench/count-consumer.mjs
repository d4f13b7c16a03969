#!/usr/bin/env node
// The smallest API consumer: traces one probe for one pid and only counts what
// arrives. Prints `count N` whenever the count changed (checked every 100 ms)
// and, after SIGINT (drained) or the pid's exit, one JSON summary line.
// Usage: node bench/count-consumer.mjs SPEC PID [raw|text|auto] [bufferKb]
import { trace } from '../dist/src/index.js';

const [spec, pidText, decode = 'raw', bufferKb] = process.argv.slice(2);
if (!spec || !pidText) {
  console.error('usage: node bench/count-consumer.mjs SPEC PID [raw|text|auto] [bufferKb]');
  process.exit(2);
}
const session = await trace(spec, {
  pids: [Number(pidText)],
  decode,
  bufferKb: bufferKb ? Number(bufferKb) : undefined,
  onInterrupt: 'stop',
});
let events = 0;
let lost = 0;
let shown = -1;
const progress = setInterval(() => {
  if (events !== shown) {
    shown = events;
    process.stdout.write(`count ${events}\n`);
  }
}, 100);
for await (const item of session.events()) {
  if (item.type === 'event') events++;
  else if (item.type === 'lost') lost += item.count;
}
clearInterval(progress);
const report = await session.close();
process.stdout.write(
  `${JSON.stringify({ type: 'summary', events, lost, leftovers: report.leftovers })}\n`,
);
