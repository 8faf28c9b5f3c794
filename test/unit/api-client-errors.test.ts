/**
 * Answers given before any route runs (Node's HTTP parser, Fastify's router) come in our one
 * error shape and name what is at fault. The API server itself is covered end to end in
 * test/e2e/bad-input.test.ts; here, the slow case (a request that never finishes) with a
 * short request timeout, and naming the path parameter.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { test } from 'node:test';
import { answerClientError, paramAt } from '../../src/api/framework-errors.js';

function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(text));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
  });
}

test('a request whose body never arrives whole is answered 408 in our shape when the request timeout passes', async (t) => {
  // Like Fastify, the handler answers only once the body has arrived.
  const server = createServer({ requestTimeout: 300, connectionsCheckingInterval: 100 }, (req, res) => req.on('end', () => res.end('unexpected')).resume());
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const answer = await rawExchange(port, 'POST /x HTTP/1.1\r\nHost: h\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":');
  assert.match(answer, /^HTTP\/1\.1 408 /);
  const body = JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { error: { code: string; details: { field: string }[] } };
  assert.equal(body.error.code, 'request_timeout');
  assert.deepEqual(body.error.details.map((d) => d.field), ['(request)']);
});

test('a malformed request line is a 400 in our shape', async (t) => {
  const server = createServer((_req, res) => res.end('unexpected'));
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const { port } = server.address() as AddressInfo;
  const answer = await rawExchange(port, 'NOT HTTP AT ALL\r\n\r\n');
  assert.match(answer, /^HTTP\/1\.1 400 /);
  assert.match(answer, /"details":\[\{"field":"\(request\)"/);
});

test('paramAt names the path parameter where the URL goes wrong', () => {
  const paths = ['/api/v1/jobs', '/api/v1/jobs/{name}', '/api/v1/jobs/{name}/runs', '/api/v1/runs/{id}/logs'];
  const long = (s: string) => s.length > 10;
  assert.equal(paramAt(`/api/v1/jobs/${'a'.repeat(11)}`, paths, long), 'name');
  assert.equal(paramAt(`/api/v1/jobs/${'a'.repeat(11)}/runs?limit=1`, paths, long), 'name');
  assert.equal(paramAt(`/api/v1/runs/${'a'.repeat(11)}/logs`, paths, long), 'id');
  assert.equal(paramAt(`/api/v1/elsewhere/${'a'.repeat(11)}`, paths, long), null);
  assert.equal(paramAt('/api/v1/jobs/short', paths, long), null);
});
