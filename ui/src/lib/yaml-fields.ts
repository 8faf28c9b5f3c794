/**
 * Where a field the API names (`retries.backoff`, `args[0]`, `env.DB_URL`) sits in the YAML
 * being edited, so its line can be marked. A field that is missing from the text points at
 * its nearest parent that is there.
 */
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';

export interface YamlProblem {
  /** 1-based line, or null when the text does not show where. */
  line: number | null;
  field: string | null;
  message: string;
}

const keyText = (key: unknown): string => (isScalar(key) ? String(key.value) : String(key));

/** Follows `path` (as the API writes it) through the document; the deepest node reached and its key's start. */
function locate(root: Node | null, path: string): number | null {
  let node: unknown = root;
  let rest = path;
  let position: number | null = root?.range?.[0] ?? null;
  while (rest.length > 0 && node) {
    const index = /^\[(\d+)\]\.?/.exec(rest);
    if (index && isSeq(node)) {
      const item = node.items[Number(index[1])] as Node | undefined;
      if (!item) break;
      node = item;
      position = item.range?.[0] ?? position;
      rest = rest.slice(index[0].length);
      continue;
    }
    if (!isMap(node)) break;
    // Keys may hold dots (labels such as app.kubernetes.io/name): take the longest that fits.
    let best: { pair: (typeof node.items)[number]; key: string } | null = null;
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = keyText(pair.key);
      const fits = rest === key || rest.startsWith(`${key}.`) || rest.startsWith(`${key}[`);
      if (fits && (!best || key.length > best.key.length)) best = { pair, key };
    }
    if (!best) break;
    position = (best.pair.key as Node | null)?.range?.[0] ?? position;
    node = best.pair.value;
    rest = rest.slice(best.key.length).replace(/^\./, '');
  }
  return position;
}

/** The YAML's own syntax errors, with their lines; empty when it parses. */
export function yamlSyntaxProblems(text: string): YamlProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  return doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? lines.linePos(e.pos[0]).line, field: null, message: e.message.split('\n')[0]! }));
}

/** The API's field errors, each with the line of its field in `text` when it can be found. */
export function placeFieldErrors(text: string, errors: { field: string; message: string }[]): YamlProblem[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  const root = doc.contents as Node | null;
  return errors.map(({ field, message }) => {
    if (field === '(body)' || !root) return { line: null, field, message };
    const position = locate(root, field);
    return { line: position === null ? null : lines.linePos(position).line, field, message };
  });
}
