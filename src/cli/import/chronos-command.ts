/**
 * What a Chronos job runs: `command` through /bin/sh -c (shell: true, the default), or
 * `command` as the program and `arguments` as its arguments (shell: false).
 */
import type { FieldError } from '../../core/field-error.js';
import { isNeutral, list, notImported, text, type ChronosJob } from './chronos-fields.js';

export type CommandConversion =
  | { ok: true; run: { command: string } | { args: string[] } | Record<string, never>; messages: string[] }
  | { ok: false; problem: FieldError };

/** Chronos downloads a command that is a URL and runs the file (when no executor is set). */
const URL_COMMAND = /^(?:https?|ftps?):\/\//i;

export function convertCommand(job: ChronosJob, container: { present: boolean; type: string }): CommandConversion {
  const command = text(job.command)?.trim() ?? '';
  const shell = !(job.shell === false || text(job.shell)?.trim().toLowerCase() === 'false');
  const args = list(job.arguments).map((a) => text(a) ?? JSON.stringify(a));
  const hasExecutor = !isNeutral(job.executor);
  if (URL_COMMAND.test(command) && !hasExecutor) {
    const file = command.slice(command.lastIndexOf('/') + 1) || 'file';
    const fix = `give a command that downloads and runs it, e.g. curl -fsSLO ${command} && chmod +x ${file} && ./${file}`;
    return { ok: false, problem: { field: 'command', message: `is a URL, which Chronos downloaded and ran; ${fix}` } };
  }

  const messages: string[] = [];
  if (shell) {
    if (args.length > 0) messages.push(notImported('arguments', 'Chronos ignores them when shell is true'));
    return { ok: true, run: command === '' ? {} : { command }, messages };
  }
  if (command === '') {
    if (args.length > 0 && container.present) messages.push(notImported('arguments', "Chronos gave them to the image's entrypoint; moroccron runs the entrypoint without arguments"));
    return { ok: true, run: {}, messages };
  }
  if (container.present && container.type !== 'MESOS') {
    messages.push("shell: false in a Docker container: Chronos gave command and arguments to the image's entrypoint; moroccron runs command as the program");
  }
  return { ok: true, run: { args: [command, ...args] }, messages };
}
