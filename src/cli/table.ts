/** Plain aligned columns for people; --json gives machines the API's own objects. */
export function table(headers: string[], rows: (string | number | null | undefined)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map((c) => (c === null || c === undefined || c === '' ? '-' : String(c))))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => (i === r.length - 1 ? c : (c ?? '').padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "2026-05-01T10:00:00.000Z" -> "2026-05-01 10:00:00Z" */
export const shortTime = (iso: string | null | undefined): string | null => (iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : null);
