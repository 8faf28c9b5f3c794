// A node:test reporter that prints, at the end, the test files that took longest (wall time
// from the runner taking a file to its last event), so CI's time budget can be kept.
// Used by run-tests.mjs beside the spec reporter.
const SHOWN = 12;

export default async function* fileTimes(source) {
  const spans = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const now = Date.now();
    // A file starts when the runner takes it from the queue (an event named after the file).
    if (event.type === 'test:dequeue' && event.data.name === file) spans.set(file, { first: now, last: now });
    else if (spans.has(file)) spans.get(file).last = now;
  }
  const slowest = [...spans].map(([file, { first, last }]) => [file, last - first]).sort((a, b) => b[1] - a[1]);
  const total = slowest.reduce((sum, [, ms]) => sum + ms, 0);
  yield `\nslowest test files (of ${slowest.length}, ${(total / 1000).toFixed(0)} s in all):\n`;
  for (const [file, ms] of slowest.slice(0, SHOWN)) yield `  ${(ms / 1000).toFixed(1).padStart(6)} s  ${file.replace(`${process.cwd()}/`, '')}\n`;
}
