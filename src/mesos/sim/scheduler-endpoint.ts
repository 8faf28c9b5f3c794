/** POST /api/v1/scheduler: the real master's request-handling order, check by check. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleCall } from './calls.js';
import { parseCall } from './call-parsing.js';
import { principalMismatch, validateCall } from './call-validation.js';
import type { Master } from './master.js';
import { readBody, sendText } from './http-io.js';

interface MediaRange {
  type: string;
  q: number;
}

function parseAccept(header: string): MediaRange[] {
  return header.split(',').map((part) => {
    const [type = '', ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q ? Number(q.slice(2)) : 1 };
  });
}

function accepts(ranges: readonly MediaRange[], mediaType: string): boolean {
  const [major] = mediaType.split('/');
  return ranges.some((r) => r.q > 0 && (r.type === mediaType || r.type === `${major}/*` || r.type === '*/*'));
}

/** 'json', or the 406 message. */
function negotiate(accept: string | undefined): 'json' | string {
  if (accept === undefined || accept.trim() === '') return 'json';
  const ranges = parseAccept(accept);
  if (accepts(ranges, 'application/json')) return 'json';
  // The real master would stream protobuf records here; the sim only encodes JSON.
  if (accepts(ranges, 'application/x-protobuf')) return 'The Mesos sim only produces application/json; application/x-protobuf responses are not supported';
  return "Expecting 'Accept' to allow 'application/json' or 'application/x-protobuf'";
}

/** `principal`: who authenticated (undefined when the master does not authenticate frameworks). */
export async function handleScheduler(master: Master, req: IncomingMessage, res: ServerResponse, principal?: string): Promise<void> {
  if (req.method !== 'POST') return sendText(res, 405, `Expecting a 'POST' request, received '${req.method}'`, { Allow: 'POST' });
  const contentType = req.headers['content-type'];
  if (contentType === undefined) return sendText(res, 400, "Expecting 'Content-Type' to be present");
  // Real masters parse protobuf bodies; the sim understands JSON only and answers protobuf with 415.
  if (contentType === 'application/x-protobuf') return sendText(res, 415, 'The Mesos sim accepts only application/json request bodies');
  if (contentType !== 'application/json') return sendText(res, 415, `Expecting 'Content-Type' of application/json or application/x-protobuf`);
  const parsed = parseCall(await readBody(req));
  if (!parsed.ok) return sendText(res, 400, parsed.message);
  const call = parsed.call;
  const invalid = validateCall(call, principal);
  if (invalid) return sendText(res, 400, `Failed to validate scheduler::Call: ${invalid}`);
  const streamIdHeader = req.headers['mesos-stream-id'];
  const streamId = Array.isArray(streamIdHeader) ? streamIdHeader[0] : streamIdHeader;

  if (call.type === 'SUBSCRIBE' || (call.type as string) === 'RECONCILE_OPERATIONS') {
    const negotiated = negotiate(req.headers.accept);
    if (negotiated !== 'json') return sendText(res, 406, negotiated);
  }
  if (call.type === 'SUBSCRIBE') {
    if (streamId !== undefined) return sendText(res, 400, "Subscribe calls should not include the 'Mesos-Stream-Id' header");
    // An authenticated framework that names no principal gets the one it authenticated as.
    const info = call.subscribe!.framework_info;
    if (principal !== undefined && info.principal === undefined) info.principal = principal;
    return master.subscribe(res, call);
  }
  const frameworkId = call.framework_id!.value;
  const framework = master.frameworks.get(frameworkId);
  if (!framework) return sendText(res, 400, 'Framework cannot be found');
  if (principal !== undefined && principal !== framework.info.principal) return sendText(res, 400, principalMismatch(principal, framework.info.principal ?? ''));
  if (!framework.connected) return sendText(res, 403, 'Framework is not subscribed');
  if (streamId === undefined) return sendText(res, 400, "All non-subscribe calls should include the 'Mesos-Stream-Id' header");
  if (streamId !== framework.stream!.streamId) {
    return sendText(res, 400, `The stream ID '${streamId}' included in this request didn't match the stream ID currently associated with framework ID ${frameworkId}`);
  }
  if ((call.type as string) === 'UNKNOWN') {
    // The real master counts the call in its per-framework metrics first, which has no slot for
    // UNKNOWN: the CHECK fails and the master process aborts (docs/mesos.md#unknown-call).
    req.socket.destroy();
    master.abort(`Check failed: call_types.contains(callType) (a call of type UNKNOWN from framework ${frameworkId})`);
    return;
  }
  const result = handleCall(master, framework, call);
  return sendText(res, result.status, result.body ?? '');
}
