/**
 * What a Node user would write instead of a scheduler: one croner timer per job, in one
 * process. Run as its own process by bench/scale.ts:
 *   node --import tsx bench/load/croner-timers.ts <jobs> <mix> <watch-seconds>
 * Prints one JSON line: setup time, RSS once set up, and each firing's lateness against the
 * time it was due. Exits by itself after watching (or, out of memory, with the V8 error).
 */
import { Cron } from 'croner';
import { readFileSync } from 'node:fs';
import { scheduleOf, timezoneOf, type JobMix } from './job-mix.js';

const [jobs, mix, watchSeconds] = [Number(process.argv[2]), process.argv[3] as JobMix, Number(process.argv[4])];
const rssMiB = (): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;

const lateMs: number[] = [];
const began = performance.now();
for (let i = 0; i < jobs; i++) {
  let due: number | undefined;
  const cron: Cron = new Cron(scheduleOf(i, mix), { timezone: timezoneOf(i) }, () => {
    const now = Date.now();
    if (due !== undefined) lateMs.push(now - due);
    due = cron.nextRun()?.getTime();
  });
  due = cron.nextRun()?.getTime();
}
const setupMs = performance.now() - began;
const rssAfterSetup = rssMiB();
setTimeout(() => {
  console.log(JSON.stringify({ setupMs: Math.round(setupMs), rssMiB: Math.round(rssAfterSetup), rssEndMiB: Math.round(rssMiB()), heapUsedMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), lateMs }));
  process.exit(0);
}, watchSeconds * 1000);
