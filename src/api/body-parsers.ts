/**
 * Request bodies: JSON and YAML, refused by field when a key or the nesting is unsafe to read;
 * one too large is answered 413 in a way its sender reads.
 */
import type { FastifyInstance } from 'fastify';
import { inputShapeErrors } from '../core/input-shape.js';
import { parseYamlDocuments } from '../core/job-file.js';
import { ApiError, fieldError, invalid } from './errors.js';

const YAML_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

/** A body over the limit but under this is read to its end and dropped, so that its sender gets the 413. */
const DRAINED_BODY_BYTES = 64 << 20;

function safeToRead(value: unknown): unknown {
  const shapeErrors = inputShapeErrors(value);
  if (shapeErrors.length > 0) throw invalid(shapeErrors, 'body');
  return value;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') throw fieldError(400, 'invalid_json', '(body)', 'is empty; send a JSON value');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw fieldError(400, 'invalid_json', '(body)', `is not valid JSON: ${(e as Error).message}`);
  }
  return safeToRead(value);
}

function parseYaml(text: string): unknown {
  const parsed = parseYamlDocuments(text);
  if (!parsed.ok) throw new ApiError(400, 'invalid_yaml', `YAML ${parsed.errors[0]!.field}: ${parsed.errors[0]!.message}`, parsed.errors);
  return safeToRead(parsed.value);
}

/**
 * Replaces Fastify's JSON parser: that one calls `{"__proto__": 1}` malformed, and that is valid
 * JSON; here it parses, and the key is then refused by name like any other unknown field.
 */
export function registerBodyParsers(app: FastifyInstance): void {
  const parser = (parse: (text: string) => unknown) => (_request: unknown, body: string | Buffer, done: (err: Error | null, body?: unknown) => void) => {
    try {
      done(null, parse(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  };
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, parser(parseJson));
  app.addContentTypeParser(YAML_TYPES, { parseAs: 'string' }, parser(parseYaml));
  app.addHook('onSend', async (request, reply, payload) => {
    // Fastify closes the connection after a 413, with the body still arriving: the kernel then
    // resets it, and a client still sending never reads the answer. Node reads the rest of an
    // unread body once the answer is sent, on a connection kept open.
    const declared = Number(request.headers['content-length']);
    if (reply.statusCode === 413 && declared <= DRAINED_BODY_BYTES && reply.getHeader('connection') === 'close') reply.removeHeader('connection');
    return payload;
  });
}
