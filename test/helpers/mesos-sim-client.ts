/** A tiny v1 scheduler client for the Mesos sim tests: one stream, recorded events, raw calls. */
import type { Event, FrameworkInfo, Offer, TaskStatus } from '../../src/mesos/types.js';
import { RecordIODecoder } from '../../src/mesos/recordio.js';

export const JSON_HEADERS = { 'Content-Type': 'application/json', Accept: 'application/json' };

export interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

export async function post(url: string, body: unknown, headers: Record<string, string> = JSON_HEADERS): Promise<Answer> {
  const res = await fetch(`${url}/api/v1/scheduler`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body), redirect: 'manual' });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

export const frameworkInfo = (over: Partial<FrameworkInfo> = {}): FrameworkInfo => ({
  user: 'cron',
  name: 'moroccron-test',
  roles: ['cron'],
  capabilities: [{ type: 'MULTI_ROLE' }, { type: 'PARTITION_AWARE' }, { type: 'TASK_KILLING_STATE' }],
  failover_timeout: 60,
  checkpoint: true,
  ...over,
});

type Predicate = (e: Event) => boolean;

export const isUpdate = (taskId: string, state?: string): Predicate => (e) =>
  e.type === 'UPDATE' && e.update.status.task_id.value === taskId && (state === undefined || e.update.status.state === state);

export class SimScheduler {
  readonly events: Event[] = [];
  readonly ended: Promise<void>;
  private readonly taken = new Set<number>();
  private waiters: (() => void)[] = [];
  private readonly abort = new AbortController();
  streamId = '';
  frameworkId = '';
  status = 0;
  headers: Headers | undefined;
  private endedFlag = false;

  private constructor(
    readonly url: string,
    private readonly response: Response,
  ) {
    this.status = response.status;
    this.headers = response.headers;
    this.streamId = response.headers.get('mesos-stream-id') ?? '';
    this.ended = this.pump();
  }

  /** SUBSCRIBE; resolves once the response headers are in (not the SUBSCRIBED event). */
  static async open(url: string, info: FrameworkInfo, extra: { suppressed_roles?: string[]; headers?: Record<string, string> } = {}): Promise<SimScheduler> {
    const call = {
      type: 'SUBSCRIBE',
      ...(info.id ? { framework_id: info.id } : {}),
      subscribe: { framework_info: info, ...(extra.suppressed_roles ? { suppressed_roles: extra.suppressed_roles } : {}) },
    };
    const abort = new AbortController();
    const res = await fetch(`${url}/api/v1/scheduler`, { method: 'POST', headers: { ...JSON_HEADERS, ...extra.headers }, body: JSON.stringify(call), signal: abort.signal });
    const client = new SimScheduler(url, res);
    client.abort.signal.addEventListener('abort', () => abort.abort());
    return client;
  }

  /** SUBSCRIBE and wait for SUBSCRIBED. */
  static async subscribe(url: string, info: FrameworkInfo = frameworkInfo(), extra: { suppressed_roles?: string[] } = {}): Promise<SimScheduler> {
    const client = await SimScheduler.open(url, info, extra);
    const subscribed = await client.next((e) => e.type === 'SUBSCRIBED' || e.type === 'ERROR');
    if (subscribed.type !== 'SUBSCRIBED') throw new Error(`subscription refused: ${JSON.stringify(subscribed)}`);
    client.frameworkId = subscribed.subscribed.framework_id.value;
    return client;
  }

  get isEnded(): boolean {
    return this.endedFlag;
  }

  private async pump(): Promise<void> {
    const decoder = new RecordIODecoder();
    try {
      for await (const chunk of this.response.body as AsyncIterable<Uint8Array>) {
        for (const record of decoder.push(chunk)) this.events.push(JSON.parse(record.toString('utf8')) as Event);
        this.wake();
      }
    } catch {
      // aborted by close()
    }
    this.endedFlag = true;
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }

  /** The first not-yet-taken event matching, waiting up to timeoutMs. */
  async next(predicate: Predicate, timeoutMs = 5000): Promise<Event> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.events.findIndex((e, i) => !this.taken.has(i) && predicate(e));
      if (index >= 0) {
        this.taken.add(index);
        return this.events[index]!;
      }
      const left = deadline - Date.now();
      if (left <= 0 || this.endedFlag) {
        throw new Error(`no matching event within ${timeoutMs} ms${this.endedFlag ? ' (stream ended)' : ''}; got ${this.events.map((e) => e.type).join(',')}`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async update(taskId: string, state?: string, timeoutMs = 5000): Promise<TaskStatus> {
    const e = await this.next(isUpdate(taskId, state), timeoutMs);
    return (e as Extract<Event, { type: 'UPDATE' }>).update.status;
  }

  async offers(timeoutMs = 5000): Promise<Offer[]> {
    const e = await this.next((x) => x.type === 'OFFERS', timeoutMs);
    return (e as Extract<Event, { type: 'OFFERS' }>).offers.offers ?? [];
  }

  /** Resolves when the stream ends. */
  async end(timeoutMs = 5000): Promise<void> {
    await Promise.race([this.ended, new Promise((_, reject) => setTimeout(() => reject(new Error('stream did not end')), timeoutMs).unref())]);
  }

  /** Any call on a separate connection, with this stream's id. */
  call(type: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Answer> {
    return post(this.url, { type, framework_id: { value: this.frameworkId }, ...body }, { ...JSON_HEADERS, 'Mesos-Stream-Id': this.streamId, ...headers });
  }

  ack(status: TaskStatus): Promise<Answer> {
    return this.call('ACKNOWLEDGE', { acknowledge: { agent_id: status.agent_id, task_id: status.task_id, uuid: status.uuid } });
  }

  /** Waits for each state in order, acknowledging each. */
  async expectStates(taskId: string, states: string[], timeoutMs = 5000): Promise<TaskStatus[]> {
    const out: TaskStatus[] = [];
    for (const state of states) {
      const status = await this.update(taskId, state, timeoutMs);
      if (status.uuid) await this.ack(status);
      out.push(status);
    }
    return out;
  }

  launch(offer: Offer, tasks: unknown[], filters?: { refuse_seconds: number }): Promise<Answer> {
    return this.call('ACCEPT', {
      accept: { offer_ids: [offer.id], operations: [{ type: 'LAUNCH', launch: { task_infos: tasks } }], ...(filters ? { filters } : {}) },
    });
  }

  close(): void {
    this.abort.abort();
  }
}

/** A command TaskInfo for an offer's agent. */
export function commandTask(id: string, offer: Offer, command: string, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: id,
    task_id: { value: id },
    agent_id: offer.agent_id,
    resources: [
      { name: 'cpus', type: 'SCALAR', scalar: { value: 0.1 } },
      { name: 'mem', type: 'SCALAR', scalar: { value: 32 } },
    ],
    command: { shell: true, value: command },
    ...over,
  };
}

/** Negative checks: nothing matching arrives within ms. */
export async function expectNothing(client: SimScheduler, predicate: Predicate, ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms));
  const index = client.events.findIndex(predicate);
  if (index >= 0) throw new Error(`unexpected event ${JSON.stringify(client.events[index])}`);
}

/** Polls until check() returns something other than undefined/false. */
export async function eventually<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The agent's own HTTP address, from an offer's url. */
export const agentUrlOf = (offer: Offer): string => `http://${offer.url!.address.ip}:${offer.url!.address.port}`;

/** A whole file of a sandbox through the agent's /files/read (the sim's files are small). */
export async function readSandboxFile(agentUrl: string, path: string): Promise<string> {
  const res = await fetch(`${agentUrl}/files/read?${new URLSearchParams({ path, offset: '0' })}`);
  if (res.status !== 200) throw new Error(`/files/read ${path}: ${res.status}`);
  return ((await res.json()) as { data: string }).data;
}

/** The agent's view of a task's state (its /state), e.g. to know a task ended before the master does. */
export async function agentTaskState(agentUrl: string, taskId: string): Promise<string | undefined> {
  const state = (await (await fetch(`${agentUrl}/state`)).json()) as { frameworks: { executors: { tasks: { id: string; state: string }[] }[] }[] };
  return state.frameworks.flatMap((f) => f.executors.flatMap((e) => e.tasks)).find((t) => t.id === taskId)?.state;
}
