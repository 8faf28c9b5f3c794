/** Which backend a term of leadership runs on: this host, or a Mesos framework. */
import { LocalBackend, type ContainerRuntimeChoice } from '../backends/local/index.js';
import { MesosBackend } from '../backends/mesos/mesos-backend.js';
import type { Backend } from '../backends/types.js';
import type { Resources } from '../core/types.js';
import type { Credentials } from '../mesos/client/index.js';
import type { BackendContext } from '../server/leader-runtime.js';

export interface MesosSettings {
  masters: string;
  role: string;
  user: string;
  frameworkName: string;
  failoverTimeoutSeconds: number;
  /** --mesos-principal and the content of --mesos-secret-file. */
  credentials?: Credentials;
}

export type BackendSettings =
  | {
      kind: 'local';
      dataDir: string;
      resources?: Partial<Resources>;
      attributes?: Record<string, string>;
      maxLogBytes?: number;
      runAs?: string;
      isolation?: 'cgroups' | 'none';
      pidsLimit?: number;
      containerRuntime?: ContainerRuntimeChoice;
    }
  | { kind: 'mesos'; mesos: MesosSettings };

export function backendOpener(settings: BackendSettings): (ctx: BackendContext) => Promise<Backend> {
  return async (ctx) => {
    if (settings.kind === 'local') {
      const { kind: _local, ...options } = settings;
      return new LocalBackend({ ...options, post: ctx.post, now: ctx.clock, warn: (message) => ctx.logger.warn(message) });
    }
    return new MesosBackend({
      ...settings.mesos,
      frameworkId: ctx.frameworkId,
      activeRuns: ctx.activeRuns,
      blacklist: ctx.blacklist,
      post: ctx.post,
      postDurably: ctx.postDurably,
      now: ctx.clock,
      logger: ctx.logger,
      onFatal: ctx.fail,
    });
  };
}
