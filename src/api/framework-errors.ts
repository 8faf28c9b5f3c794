/**
 * Answers that Fastify or Node's HTTP parser give before any route runs, in our one shape and
 * naming what is at fault: a bad URL or an overlong path parameter, a bad Content-Length,
 * headers too large, a body too large or of a type we do not read.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyRequest } from 'fastify';
import { fieldError, type ApiError } from './errors.js';

const BODY_TYPES = 'application/json or application/yaml';

/** The name of the `{param}` in one of `paths` (OpenAPI style) that sits where `isBad` holds in the URL. */
export function paramAt(url: string, paths: readonly string[], isBad: (segment: string) => boolean): string | null {
  const segments = url.split('?')[0]!.split('/');
  for (const path of paths) {
    const parts = path.split('/');
    if (parts.length !== segments.length) continue;
    const isParam = (part: string) => /^\{\w+\}$/.test(part);
    if (!parts.every((part, i) => isParam(part) || part === segments[i])) continue;
    const at = parts.findIndex((part, i) => isParam(part) && isBad(segments[i]!));
    if (at >= 0) return parts[at]!.slice(1, -1);
  }
  return null;
}

const decodes = (segment: string): boolean => {
  try {
    decodeURIComponent(segment);
    return true;
  } catch {
    return false;
  }
};

/**
 * A Fastify error a client caused (4xx) as our error. `paths` are the routes' paths, to name
 * the path parameter at fault; `maxParamLength` is the router's.
 */
export function fromFastifyError(error: FastifyError, request: FastifyRequest, paths: readonly string[], maxParamLength: number): ApiError {
  const status = error.statusCode ?? 400;
  switch (error.code) {
    case 'FST_ERR_BAD_URL':
      return fieldError(400, 'bad_url', paramAt(request.url, paths, (s) => !decodes(s)) ?? '(path)', 'is not valid percent-encoding');
    case 'FST_ERR_MAX_PARAM_LENGTH':
      return fieldError(414, 'uri_too_long', paramAt(request.url, paths, (s) => s.length > maxParamLength) ?? '(path)', `is longer than ${maxParamLength} characters`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return fieldError(413, 'too_large', '(body)', `is larger than ${request.routeOptions.bodyLimit} bytes`);
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE': {
      const type = request.headers['content-type'];
      return fieldError(415, 'unsupported_media_type', 'content-type', type ? `"${type}" is not read here; send ${BODY_TYPES}` : `is missing; send ${BODY_TYPES}`);
    }
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fieldError(400, 'bad_request', 'content-length', 'does not match the size of the body');
    default:
      return fieldError(status, 'bad_request', '(request)', error.message);
  }
}

/** Node's HTTP parser errors (no request exists yet): the status and the part of the request at fault. */
function fromParserError(error: Error & { code?: string; reason?: string }): ApiError {
  const reason = error.reason ?? error.message;
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return fieldError(431, 'headers_too_large', 'headers', `are larger than ${maxHeaderSize} bytes in all`);
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return fieldError(408, 'request_timeout', '(request)', 'did not arrive whole in time');
    case 'HPE_INVALID_CONTENT_LENGTH':
    case 'HPE_UNEXPECTED_CONTENT_LENGTH':
      return fieldError(400, 'bad_request', 'content-length', reason);
    case 'HPE_INVALID_EOF_STATE':
      return fieldError(400, 'bad_request', 'content-length', 'the connection ended before the whole body arrived');
    case 'HPE_INVALID_TRANSFER_ENCODING':
    case 'HPE_INVALID_CHUNK_SIZE':
      return fieldError(400, 'bad_request', 'transfer-encoding', reason);
    default:
      return fieldError(400, 'bad_request', '(request)', `is not valid HTTP/1.1: ${reason}`);
  }
}

/** The response being written on the socket, as Node's own clientError default looks it up. */
type HttpSocket = Socket & { _httpMessage?: { headersSent?: boolean } | null };

/** Time for the client to read the answer before the connection is cut. */
const LINGER_MS = 2000;

const answered = new WeakSet<Socket>();

/**
 * Fastify's `clientErrorHandler`: answer in our shape and close. The close is a half-close
 * (FIN) that lingers while the rest of the request is read and dropped: cutting the connection
 * with request bytes still unread (e.g. the rest of a 64 KiB header) sends a reset, and the
 * client loses the answer.
 */
export function answerClientError(error: Error & { code?: string; reason?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return;
  answered.add(socket);
  // Like Node's default: never write into a response already on its way (a pipelined request).
  if (socket.writable && !(socket as HttpSocket)._httpMessage?.headersSent) {
    const answer = fromParserError(error);
    const body = JSON.stringify(answer.body());
    socket.end(
      `HTTP/1.1 ${answer.status} ${STATUS_CODES[answer.status]}\r\n` +
        `content-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`,
    );
  } else {
    socket.end();
  }
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
}
