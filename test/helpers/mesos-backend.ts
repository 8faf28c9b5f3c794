/** A MesosBackend against a sim for tests: quiet, no runs, no blacklist, unless a test says otherwise. */
import { pino } from 'pino';
import { MesosBackend, type MesosBackendOptions } from '../../src/backends/mesos/mesos-backend.js';

export function testMesosBackend(
  master: string,
  frameworkName: string,
  options: Partial<MesosBackendOptions> & Pick<MesosBackendOptions, 'postDurably' | 'onFatal'>,
): MesosBackend {
  return new MesosBackend({
    masters: master,
    frameworkName,
    user: 'nobody',
    role: '*',
    failoverTimeoutSeconds: 600,
    frameworkId: null,
    activeRuns: [],
    blacklist: [],
    post: () => {},
    now: Date.now,
    logger: pino({ level: 'silent' }),
    ...options,
  });
}
