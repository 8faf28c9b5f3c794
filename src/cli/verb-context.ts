/** What every client verb works with: the HTTP client, the output format, and where output goes. */
import type { Client } from './client.js';

export interface VerbContext {
  client: Client;
  json: boolean;
  out: (text: string) => void;
}

/** The API's own object with --json, else the human form. */
export const print = (ctx: VerbContext, value: unknown, human: () => string): void => ctx.out(ctx.json ? JSON.stringify(value, null, 2) : human());
