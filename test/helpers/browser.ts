/**
 * Debian's chromium driven by playwright-core, for the web UI tests and the page-load bench.
 * One browser per test file, with a fresh profile; every page it opens is watched, and a
 * console error or an uncaught page error fails the test that checks (`assertNoErrors`).
 * `checkAccessibility` runs axe-core in the page; `screenshot` keeps a PNG under
 * test-artifacts/screenshots/. Without chromium, tests skip locally and fail under CI=true.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { tempDir } from './server-process.js';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = join(import.meta.dirname, '..', '..', 'test-artifacts', 'screenshots');

const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Containers often give /dev/shm 64 MB, too little for a renderer; /tmp has room.
  '--disable-dev-shm-usage',
];

/** Why browser tests cannot run here, or null when they can. Under CI a missing chromium is an error. */
export function chromiumUnavailable(): string | null {
  if (existsSync(CHROMIUM)) return null;
  const why = `chromium is not installed (${CHROMIUM}); apt-get install chromium`;
  if (process.env.CI === 'true') throw new Error(why);
  return why;
}

let axeSource: string | undefined;
const axeScript = (): string => (axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8'));

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

export interface UiBrowser {
  context: BrowserContext;
  /** The first tab, open from the start: reuse it across tests. */
  page: Page;
  /** Another tab, watched for console and page errors. Viewport 1280x800, light scheme. */
  newPage(): Promise<Page>;
  /** Throws with every console or page error seen since the last call (and forgets them). */
  assertNoErrors(): void;
  /**
   * Runs `action` while console errors matching `pattern` are expected (an HTTP 400 the UI
   * shows as a field error logs "Failed to load resource" in chromium); others still count.
   */
  expectingErrors<T>(pattern: RegExp, action: () => Promise<T>): Promise<T>;
  /** axe-core on the page as it is now; throws listing each violation and where. */
  checkAccessibility(page: Page, what: string): Promise<void>;
  /** test-artifacts/screenshots/<name>.png (the full page unless `viewportOnly`). */
  screenshot(page: Page, name: string, options?: { viewportOnly?: boolean; path?: string }): Promise<string>;
  close(): Promise<void>;
}

export interface BrowserOptions {
  /**
   * Enforce the pages' Content-Security-Policy, as a user's browser does. Off by default:
   * axe-core is injected as an inline script, which the policy forbids.
   */
  enforceCsp?: boolean;
}

export async function launchBrowser(options: BrowserOptions = {}): Promise<UiBrowser> {
  const profile = tempDir('moroccron-chromium-');
  const context = await chromium.launchPersistentContext(profile.path, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1280, height: 800 },
    colorScheme: 'light',
    reducedMotion: 'reduce',
    bypassCSP: !options.enforceCsp,
  });
  // Tests wait on conditions with their own timeouts where a run takes time; anything else is quick.
  context.setDefaultTimeout(10_000);
  const errors: string[] = [];
  const expected: RegExp[] = [];
  const watch = (page: Page): void => {
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      const text = `${message.text()} (${message.location().url || page.url()})`;
      if (!expected.some((p) => p.test(text))) errors.push(`console error: ${text}`);
    });
    page.on('pageerror', (error) => errors.push(`page error on ${page.url()}: ${error.stack ?? error.message}`));
  };
  context.on('page', watch);
  for (const page of context.pages()) watch(page);

  return {
    context,
    page: context.pages()[0] ?? (await context.newPage()),
    newPage: () => context.newPage(),
    assertNoErrors: () => {
      const seen = errors.splice(0);
      if (seen.length > 0) throw new Error(`the browser reported ${seen.length} error(s):\n${seen.join('\n')}`);
    },
    expectingErrors: async (pattern, action) => {
      expected.push(pattern);
      try {
        return await action();
      } finally {
        expected.splice(expected.indexOf(pattern), 1);
      }
    },
    checkAccessibility: async (page, what) => {
      if (!(await page.evaluate(() => 'axe' in globalThis))) await page.addScriptTag({ content: axeScript() });
      const violations = await page.evaluate(async () => {
        const axe = (globalThis as unknown as { axe: { run(options: object): Promise<{ violations: AxeViolation[] }> } }).axe;
        return (await axe.run({ resultTypes: ['violations'] })).violations;
      });
      if (violations.length === 0) return;
      const lines = violations.map((v) => `- ${v.id} (${v.impact ?? 'n/a'}): ${v.help}\n${v.nodes.map((n) => `    at ${JSON.stringify(n.target)}: ${n.failureSummary?.replace(/\n/g, ' ') ?? ''}`).join('\n')}`);
      throw new Error(`axe-core found ${violations.length} violation(s) on ${what}:\n${lines.join('\n')}`);
    },
    screenshot: async (page, name, options = {}) => {
      const path = options.path ?? join(SCREENSHOTS, `${name}.png`);
      mkdirSync(join(path, '..'), { recursive: true });
      await page.screenshot({ path, fullPage: !options.viewportOnly, animations: 'disabled', caret: 'hide' });
      return path;
    },
    close: async () => {
      await context.close();
      profile.remove();
    },
  };
}
