/**
 * `moroccron token create|list|revoke`: through the API (an admin token in MOROCCRON_TOKEN),
 * or on the store itself with --store URL or --data-dir DIR, which needs no server and is how
 * the first admin token is made. Either way a token's secret is printed once, and only here.
 */
import { userInfo } from 'node:os';
import { tokenView } from '../api/routes/tokens.js';
import { validateTokenRequest } from '../core/token-request.js';
import type { Actor } from '../core/types.js';
import { createToken, listTokenViews, revokeToken } from '../server/access/token-admin.js';
import { defaultStoreUrl, openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { CliError } from './client.js';
import { shortTime, table } from './table.js';
import { print, type VerbContext } from './verb-context.js';

type TokenJson = ReturnType<typeof tokenView>;

export interface TokenFlags {
  role?: string | undefined;
  owner?: string[] | undefined;
  name?: string | undefined;
  expires?: string | undefined;
  store?: string | undefined;
  dataDir?: string | undefined;
}

/** Where tokens are made: the server's API, or the store directly. */
interface TokenDesk {
  create(request: unknown): Promise<TokenJson & { token: string }>;
  list(): Promise<TokenJson[]>;
  revoke(id: string): Promise<TokenJson>;
  close(): Promise<void>;
}

const USAGE = 'moroccron token create --role viewer|operator|admin [--owner NAME ...] [--name TEXT] [--expires 90d] | list | revoke <id>  [--store URL | --data-dir DIR]';

export async function token(ctx: VerbContext & { err: (text: string) => void }, positionals: string[], flags: TokenFlags): Promise<void> {
  const [action, ...args] = positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new CliError(`token needs an action: ${USAGE}`);
  if (action !== 'create' && (flags.role ?? flags.owner ?? flags.name ?? flags.expires) !== undefined) {
    throw new CliError(`--role, --owner, --name and --expires are for token create, not token ${action}`);
  }
  if (action === 'revoke' ? args.length !== 1 : args.length > 0) throw new CliError(`token ${action} ${action === 'revoke' ? 'takes one token id' : 'takes no arguments'}: ${USAGE}`);
  const desk = await openDesk(ctx, flags);
  try {
    switch (action) {
      case 'create': {
        const request = {
          role: flags.role,
          ...(flags.owner && flags.owner.length > 0 ? { owners: flags.owner } : {}),
          ...(flags.name !== undefined ? { name: flags.name } : {}),
          ...(flags.expires !== undefined ? { expiresIn: flags.expires } : {}),
        };
        if (request.role === undefined) throw new CliError(`token create needs --role viewer, operator or admin: ${USAGE}`);
        const made = await desk.create(request);
        if (ctx.json) return print(ctx, made, () => '');
        ctx.out(made.token);
        ctx.err(`token ${made.id} (${made.name}): ${made.role}${made.owners.length > 0 ? ` for ${made.owners.join(', ')}` : ''}${made.expiresAt ? `, expires ${shortTime(made.expiresAt)}` : ''}. It is shown only now: keep it in a secret store.`);
        return;
      }
      case 'list': {
        const tokens = await desk.list();
        return print(ctx, { tokens }, () =>
          table(
            ['ID', 'NAME', 'ROLE', 'OWNERS', 'STATE', 'CREATED', 'EXPIRES', 'BY'],
            tokens.map((t) => [t.id, t.name, t.role, t.owners.join(','), t.state, shortTime(t.createdAt), shortTime(t.expiresAt), t.createdBy]),
          ),
        );
      }
      case 'revoke': {
        const revoked = await desk.revoke(args[0]!);
        return print(ctx, revoked, () => `token ${revoked.id} (${revoked.name}) revoked`);
      }
    }
  } finally {
    await desk.close();
  }
}

async function openDesk(ctx: VerbContext, flags: TokenFlags): Promise<TokenDesk> {
  if (flags.store !== undefined && flags.dataDir !== undefined) throw new CliError('give --store or --data-dir, not both');
  const url = flags.store ?? (flags.dataDir !== undefined ? defaultStoreUrl(flags.dataDir) : undefined);
  return url === undefined ? apiDesk(ctx) : storeDesk(await openStoreOrFail(url));
}

function apiDesk(ctx: VerbContext): TokenDesk {
  const enc = encodeURIComponent;
  return {
    create: (request) => ctx.client.request('POST', '/api/v1/tokens', request),
    list: async () => (await ctx.client.request<{ tokens: TokenJson[] }>('GET', '/api/v1/tokens')).tokens,
    revoke: (id) => ctx.client.request('DELETE', `/api/v1/tokens/${enc(id)}`),
    close: async () => {},
  };
}

function storeDesk(store: Store): TokenDesk {
  const actor: Actor = { tokenId: null, name: `local:${userInfo().username}`, role: 'admin', owners: [], address: null };
  return {
    create: async (raw) => {
      const request = validateTokenRequest(raw);
      if (!request.ok) throw new CliError(fieldsText(request.errors), 1);
      const made = await createToken(store, request.value, actor, Date.now());
      if (!made.ok) throw new CliError(fieldsText(made.errors), 1);
      return { token: made.token, ...tokenView(made.view) };
    },
    list: async () => (await listTokenViews(store, Date.now())).map(tokenView),
    revoke: async (id) => {
      const revoked = await revokeToken(store, id, actor, Date.now());
      if (!revoked) throw new CliError(`no token ${id} in ${store.description}`, 1);
      return tokenView(revoked);
    },
    close: () => store.close(),
  };
}

async function openStoreOrFail(url: string): Promise<Store> {
  try {
    return await openStore(url);
  } catch (error) {
    throw new CliError(`cannot open the store ${url.replace(/\/\/[^@/]*@/, '//')}: ${(error as Error).message}`, 1);
  }
}

/** The request's field errors, as the CLI's flags name them. */
function fieldsText(errors: { field: string; message: string }[]): string {
  const flag: Record<string, string> = { role: '--role', owners: '--owner', name: '--name', expiresIn: '--expires' };
  return errors.map((e) => `${flag[e.field.replace(/\[\d+\]$/, '')] ?? e.field}: ${e.message}`).join('; ');
}
