/**
 * Whether users other than the server's may read the data dir. The store in it holds every
 * job's spec, `env` included; once jobs run as other users, those users should not reach it.
 */
import { statSync } from 'node:fs';

/** Group or others may list or enter the dir (its parents are not looked at). */
export function dataDirOpenToOthers(dataDir: string): boolean {
  try {
    return (statSync(dataDir).mode & 0o055) !== 0;
  } catch {
    return false;
  }
}
