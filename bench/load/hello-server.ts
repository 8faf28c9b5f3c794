/**
 * The machine's ceiling for an HTTP read, to put beside the API's figures: a server that does
 * nothing but answer every GET with the same JSON object (serialized per request, as a real
 * handler would), as plain Fastify (no logger, no hooks) or bare `node:http`. In a process of
 * its own, like `moroccron serve`.
 *   node --import tsx bench/load/hello-server.ts fastify|node BODY_FILE   (prints "listening on URL")
 * `startHelloServer` spawns it.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';

export type HelloKind = 'fastify' | 'node';

export interface HelloServer {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

async function serve(kind: HelloKind, body: unknown): Promise<string> {
  if (kind === 'fastify') {
    const app = Fastify({ logger: false });
    app.get('/*', async () => body);
    return app.listen({ host: '127.0.0.1', port: 0 });
  }
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export async function startHelloServer(kind: HelloKind, bodyFile: string): Promise<HelloServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), kind, bodyFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`hello server (${kind}) exited with ${code} at start: ${out}`)));
  });
  return {
    url,
    pid: child.pid!,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [kind, bodyFile] = process.argv.slice(2);
  if (kind !== 'fastify' && kind !== 'node') throw new Error(`kind must be fastify or node, not ${kind}`);
  const url = await serve(kind, JSON.parse(readFileSync(bodyFile!, 'utf8')));
  // An orderly exit, so that a --cpu-prof run writes its profile.
  process.once('SIGTERM', () => process.exit(0));
  console.log(`listening on ${url}`);
}
