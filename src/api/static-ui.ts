/**
 * The web UI: the files `vite build` wrote to dist/ui, served at `/` to anyone (they hold no
 * data; the API they call needs the token). A page address the app routes itself
 * (`/jobs/nightly`) gets index.html when a browser asks for HTML; everything else that no
 * route answers stays a JSON 404. A server built without the UI says so on `/`.
 */
import { stat } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** dist/ui of this package, from src/api (tsx) or dist/api (built) alike. */
export const DEFAULT_UI_DIR = join(import.meta.dirname, '..', '..', 'dist', 'ui');

/** Paths that are never the app's pages: an unknown one there is a JSON 404. */
const SERVER_PATHS = ['/api', '/metrics', '/healthz', '/readyz', '/openapi.json'];

const INDEX = 'index.html';

/** Vite puts hashed file names here: a changed file gets a new name, so these never go stale. */
const HASHED_DIR = 'assets';

/** The leader may be another member: the UI on a standby sends its writes there. */
const contentSecurityPolicy = (connectSources: string[]): string => [
  "default-src 'self'",
  "script-src 'self'",
  // React sets style attributes; CodeMirror adds style sheets at run time.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  ["connect-src 'self'", ...connectSources].join(' '),
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>moroccron: the web UI is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The web UI is not built</h1>
<p>This moroccron server has no web UI to serve: <code>dist/ui</code> is missing. Build it in the
moroccron checkout with <code>npm run build</code> (or only the UI:
<code>npx vite build --config ui/vite.config.ts</code>), then reload this page.</p>
<p>The API works without it: <a href="/api/v1">/api/v1</a>, described in <a href="/openapi.json">/openapi.json</a>.</p>
</body>
</html>
`;

/**
 * True once it has answered. Not the reply itself: a reply is a thenable, so an async
 * function returning it resolves only when it is sent, and to undefined, which read as
 * "not answered" and sent a second answer (Fastify's "Reply was already sent" warning).
 */
export type UiFallback = (request: FastifyRequest, reply: FastifyReply) => Promise<boolean>;

const isServerPath = (path: string): boolean => SERVER_PATHS.some((p) => path === p || path.startsWith(`${p}/`));

const acceptsHtml = (request: FastifyRequest): boolean => (request.headers.accept ?? '').includes('text/html');

function documentHeaders(reply: FastifyReply, connectSources: string[]): void {
  reply.header('cache-control', 'no-cache').header('content-security-policy', contentSecurityPolicy(connectSources)).header('x-content-type-options', 'nosniff');
}

/** The file under `dir` a URL path names, relative to `dir`, if it is a regular file and not hidden; else null. */
async function fileIn(dir: string, urlPath: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = resolve(dir, `.${decoded}`);
  const inside = relative(dir, path);
  if (inside === '' || inside.startsWith('..') || inside.split(sep).some((part) => part.startsWith('.'))) return null;
  const found = await stat(path).catch(() => null);
  return found?.isFile() ? inside : null;
}

/**
 * Serves `dir` at `/` and returns what the not-found handler calls first: it answers for a
 * file of the UI or a page request (index.html, or the "not built" page), or returns false
 * to let the handler answer JSON. Files are looked up when asked for, not routed: a catch-all route would take
 * over requests the API's router refuses (an overlong name is a 414, not a 404), and a UI
 * built or rebuilt under a running server is served as it now is.
 */
export function registerUi(app: FastifyInstance, dir = DEFAULT_UI_DIR, connectSources: () => Promise<string[]> = async () => []): UiFallback {
  app.register(fastifyStatic, {
    root: dir,
    serve: false,
    // Without a UI the "not built" page says so; the log need not.
    suppressWarning: true,
    dotfiles: 'ignore',
    cacheControl: false,
    setHeaders: (reply: FastifyReply, path: string) => {
      reply.header('x-content-type-options', 'nosniff');
      // A page's content security policy was set before sending: it needs the cluster's members.
      if (path.endsWith('.html')) return reply.header('cache-control', 'no-cache');
      const hashed = relative(dir, path).split(sep)[0] === HASHED_DIR;
      reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if ((request.method !== 'GET' && request.method !== 'HEAD') || isServerPath(path)) return false;
    const file = await fileIn(dir, path);
    if (file !== null) {
      if (file.endsWith('.html')) documentHeaders(reply, await connectSources());
      void reply.code(200).sendFile(file);
      return true;
    }
    if (path !== '/' && !acceptsHtml(request)) return false;
    documentHeaders(reply, await connectSources());
    if ((await fileIn(dir, `/${INDEX}`)) === null) void reply.code(404).type('text/html; charset=utf-8').send(NOT_BUILT_PAGE);
    else void reply.code(200).sendFile(INDEX);
    return true;
  };
}
