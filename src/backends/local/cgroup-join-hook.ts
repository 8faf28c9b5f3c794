/**
 * An OCI hook that puts a podman container's process into its run's cgroups, written into
 * the run dir for that one run (`podman --hooks-dir`). The runtime (runc, crun) calls it
 * with the container's state on stdin after it created the container's first process and
 * before that process runs the job: everything the job starts is inside from its first
 * instruction, as with the wrapper for a run without an image. The container stays in
 * podman's cgroups for the controllers moroccron does not hold (devices, freezer…), and
 * podman's client and conmon stay out of the run's, so they count against no limit of it.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The hook's file in the hooks dir. */
export const CGROUP_JOIN_HOOK = 'moroccron-cgroups.json';

/**
 * Reads the state's `"pid":N` (runtimes print it without spaces), then writes N into each
 * `cgroup.procs` given. A failure fails the container's creation: the run does not start
 * unlimited. Inside `${…#…}`, dash takes `\"` as a quote and `"…"` as quoting: hence `\"`.
 */
const JOIN_SCRIPT =
  'read -r s; p=${s#*\\"pid\\":}; p=${p%%[!0-9]*}; ' +
  '[ -n "$p" ] || { echo "moroccron: no pid in the container state" >&2; exit 1; }; ' +
  'for f; do printf "%s\\n" "$p" > "$f" || { echo "moroccron: cannot put the container into its cgroup ($f)" >&2; exit 1; }; done';

export function cgroupJoinHook(cgroupProcs: readonly string[]): object {
  return {
    version: '1.0.0',
    hook: { path: '/bin/sh', args: ['sh', '-c', JOIN_SCRIPT, 'moroccron-cgroups', ...cgroupProcs] },
    when: { always: true },
    stages: ['createRuntime'],
  };
}

/** Writes the hook for one run into `hooksDir` (made if missing). */
export function writeCgroupJoinHook(hooksDir: string, cgroupProcs: readonly string[]): void {
  mkdirSync(hooksDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(hooksDir, CGROUP_JOIN_HOOK), JSON.stringify(cgroupJoinHook(cgroupProcs)));
}
