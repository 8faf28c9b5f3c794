/**
 * The store as route handlers see it. A store that does not answer is a 503 naming it
 * (the operator's problem to fix, the client's to retry), not an "internal error".
 */
import type { Store } from '../store/types.js';
import { ApiError } from './errors.js';

/** Reads only: every change goes through the leader's loop as a command. */
export type RouteStore = Pick<Store, 'description' | 'listJobs' | 'getJob' | 'getRun' | 'listRuns' | 'getMeta' | 'listOwners' | 'getOwner'>;

/** Tokens and the audit log: written by any member, outside the loop (see AccessOp). */
export type AccessStore = Pick<Store, 'writeAccess' | 'getToken' | 'listTokens' | 'listAudit' | 'getOwner'>;

const answeringFor =
  (store: Store) =>
  <A extends unknown[], T>(method: (...args: A) => Promise<T>) =>
  async (...args: A): Promise<T> => {
    try {
      return await method.apply(store, args);
    } catch (error) {
      throw new ApiError(503, 'store_unavailable', `the store ${store.description} did not answer: ${(error as Error).message}`);
    }
  };

export function accessStore(store: Store): AccessStore {
  const answering = answeringFor(store);
  return {
    writeAccess: answering(store.writeAccess),
    getToken: answering(store.getToken),
    listTokens: answering(store.listTokens),
    listAudit: answering(store.listAudit),
    getOwner: answering(store.getOwner),
  };
}

export function routeStore(store: Store): RouteStore {
  const answering = answeringFor(store);
  return {
    description: store.description,
    listJobs: answering(store.listJobs),
    getJob: answering(store.getJob),
    getRun: answering(store.getRun),
    listRuns: answering(store.listRuns),
    getMeta: answering(store.getMeta),
    listOwners: answering(store.listOwners),
    getOwner: answering(store.getOwner),
  };
}
