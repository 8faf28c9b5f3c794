/**
 * An import as a moroccron job file: owners (`kind: owner`) first, then jobs, one YAML
 * document each, separated by `---`; each job's notes are comments above it, and the jobs left
 * out are listed at the top.
 */
import { Document, isCollection } from 'yaml';
import type { ChronosImport } from './chronos.js';

/** Short fields written on one line, as the README writes them: `retries: { max: 2 }`, `owners: [data-team]`. */
const ONE_LINE_FIELDS = ['resources', 'retries', 'misfire', 'constraints', 'container', 'after', 'owners'];

const comment = (lines: readonly string[]): string => lines.map((line) => ` ${line}`).join('\n');

export function describeLeftOut(leftOut: ChronosImport['leftOut'][number]): string {
  return `left out: ${leftOut.job}: ${leftOut.errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`;
}

export function importAsYaml(result: ChronosImport, source: string): string {
  const header = [
    `moroccron jobs imported from Chronos (${source}): ${result.jobs.length} job(s), ${result.owners.length} owner(s)`,
    ...result.leftOut.map(describeLeftOut),
  ];
  const notes = new Map(result.notes.map((n) => [n.job, n.messages]));
  const documents = [
    ...result.owners.map((owner) => ({ value: { kind: 'owner', ...owner }, notes: [] as string[] })),
    ...result.jobs.map((job) => ({ value: job, notes: notes.get(job.name) ?? [] })),
  ];
  if (documents.length === 0) return `#${comment(header)}\n`;
  return documents
    .map(({ value, notes: lines }, i) => {
      const doc = new Document(value);
      for (const field of ONE_LINE_FIELDS) {
        const node = doc.get(field, true);
        if (isCollection(node)) node.flow = true;
      }
      const above = i === 0 ? [...header, ...(lines.length > 0 ? ['', ...lines] : [])] : lines;
      if (above.length > 0 && doc.contents) doc.contents.commentBefore = comment(above);
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}
