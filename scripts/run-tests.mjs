#!/usr/bin/env node
// Runs the test files with node's test runner. Node 20 does not expand globs itself, so
// the files are listed here: `node scripts/run-tests.mjs [unit|integration|e2e ...]`.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const suites = process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['unit', 'integration', 'e2e'];
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else if (name.endsWith('.test.ts')) files.push(path);
  }
};
for (const suite of suites) walk(join('test', suite));
if (files.length === 0) {
  console.error(`no test files under ${suites.map((s) => `test/${s}`).join(', ')}`);
  process.exit(1);
}
const reporters = ['--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=./scripts/file-times-reporter.mjs', '--test-reporter-destination=stdout'];
// Two files at a time: most tests wait on timers and servers, so two share this 2-core
// machine well (CI: 550 s against 997 s one at a time, with the same results).
// MOROCCRON_TEST_CONCURRENCY=1 runs them one by one.
const concurrency = process.env.MOROCCRON_TEST_CONCURRENCY ?? '2';
if (!/^[1-9]\d*$/.test(concurrency)) {
  console.error(`MOROCCRON_TEST_CONCURRENCY must be a whole number of at least 1, not "${concurrency}"`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, ...reporters, ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
