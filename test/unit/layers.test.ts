/**
 * The layers (.dependency-cruiser.cjs) hold on the real tree, and the check really fails on
 * a wrong import: a fixture tree with an upward import, a cycle and I/O in the core.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');

function cruise(cwd: string): { status: number | null; output: string } {
  const result = spawnSync(depcruise, ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'], { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

test('the source tree keeps its layers: no upward import, no cycle, no I/O in the core', () => {
  const { status, output } = cruise(root);
  assert.equal(status, 0, output);
});

test('the layer check fails on an upward import, a cycle and node:fs in the core', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'layers-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(join(root, '.dependency-cruiser.cjs'), join(dir, '.dependency-cruiser.cjs'));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', strict: true } }));
  const files: Record<string, string> = {
    'src/api/routes.ts': 'export const routes = 1;\n',
    'src/core/update.ts': "import { routes } from '../api/routes.js';\nimport { readFileSync } from 'node:fs';\nexport const update = () => [routes, readFileSync];\n",
    'src/store/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
    'src/store/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
  };
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  const { status, output } = cruise(dir);
  assert.notEqual(status, 0, output);
  assert.match(output, /core-is-the-bottom: src\/core\/update\.ts → src\/api\/routes\.ts/);
  assert.match(output, /pure-core: src\/core\/update\.ts → fs/);
  assert.match(output, /no-circular: src\/store\/(a|b)\.ts/);
});
