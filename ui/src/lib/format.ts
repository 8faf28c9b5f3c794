/** Times, durations and zones as people read them. */

const viewerZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
export const VIEWER_ZONE = viewerZone;

const formatters = new Map<string, Intl.DateTimeFormat>();

function cached(key: string, make: () => Intl.DateTimeFormat): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    f = make();
    formatters.set(key, f);
  }
  return f;
}

const wallClock = (zone: string, withSeconds: boolean) =>
  cached(`${zone}|${withSeconds}`, () =>
    new Intl.DateTimeFormat('en-CA', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: withSeconds ? '2-digit' : undefined,
      hourCycle: 'h23',
    }),
  );

/** "2026-03-29 02:30:00" in `zone` (the viewer's by default), optionally with the zone's short name. */
export function formatTime(iso: string | number | null | undefined, options: { zone?: string; seconds?: boolean; zoneName?: boolean } = {}): string {
  if (iso === null || iso === undefined) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return String(iso);
  const zone = options.zone ?? viewerZone;
  const seconds = options.seconds ?? true;
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = wallClock(zone, seconds).formatToParts(date);
  } catch {
    // A zone this browser does not know: UTC, named.
    return `${formatTime(iso, { seconds, zone: 'UTC' })} UTC`;
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const time = `${get('year')}-${get('month')}-${get('day')} ${get('hour')}:${get('minute')}${seconds ? `:${get('second')}` : ''}`;
  return options.zoneName ? `${time} ${zoneAbbreviation(zone, date.getTime())}` : time;
}

const shortDay = (zone: string) =>
  cached(`short|${zone}`, () => new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }));

/** "Sun 6 Dec 02:30 CET" in `zone` (the year only when it is not this one): for dense columns. */
export function formatShort(iso: string | number, zone: string = viewerZone, withZone = true): string {
  const date = new Date(iso);
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = shortDay(zone).formatToParts(date);
  } catch {
    return formatTime(iso, { zone: 'UTC', seconds: false, zoneName: true });
  }
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const year = get('year') !== String(new Date().getFullYear()) ? ` ${get('year')}` : '';
  const text = `${get('weekday')} ${get('day')} ${get('month')}${year} ${get('hour')}:${get('minute')}`;
  return withZone ? `${text} ${zoneAbbreviation(zone, date.getTime())}` : text;
}

export const formatUtc = (iso: string | number | null | undefined): string => (iso == null ? '—' : `${formatTime(iso, { zone: 'UTC' })} UTC`);

/** "1.2 s", "3 min 4 s", "2 h 5 min", "4 d 3 h"; `coarse` drops the decimals and the second unit. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  const sign = ms < 0 ? '−' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)} ms`;
  if (abs < 10_000) return `${sign}${(abs / 1000).toFixed(1)} s`;
  const s = Math.round(abs / 1000);
  if (s < 60) return `${sign}${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${sign}${m} min${s % 60 ? ` ${s % 60} s` : ''}`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${sign}${h} h${m % 60 ? ` ${m % 60} min` : ''}`;
  const d = Math.floor(h / 24);
  return `${sign}${d} d${h % 24 ? ` ${h % 24} h` : ''}`;
}

/** "in 4 min", "12 s ago", relative to `now`. */
export function formatRelative(iso: string | number | null | undefined, now: number): string {
  if (iso === null || iso === undefined) return '';
  const delta = new Date(iso).getTime() - now;
  if (Math.abs(delta) < 1000) return 'now';
  const rounded = Math.abs(delta) < 60_000 ? Math.round(Math.abs(delta) / 1000) * 1000 : Math.abs(delta);
  const text = formatDuration(rounded < 10_000 ? Math.max(1000, rounded) : rounded)
    .replace(/\.\d s$/, ' s')
    .replace(/ \d+ (s|min|h)$/, '');
  return delta > 0 ? `in ${text}` : `${text} ago`;
}

const zoneNamer = (locale: string, zone: string) => cached(`name|${locale}|${zone}`, () => new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' }));

/** A zone's short name at an instant: "EST" and "CET" where one is in use (US English, then British), else "GMT+9". */
export function zoneAbbreviation(zone: string, at: string | number = Date.now()): string {
  const date = new Date(at);
  try {
    let name = '';
    for (const locale of ['en-US', 'en-GB']) {
      name = zoneNamer(locale, zone).formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? '';
      if (name && !/^GMT[+-]/.test(name)) return name;
    }
    return name || zone;
  } catch {
    return zone;
  }
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n.toLocaleString('en')} ${n === 1 ? one : many}`;

/** Bytes as people read them: 512 KiB, 64 MiB, 1.5 GiB. */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 || value >= 10 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** CPU time: 3 ms, 0.12 s, 2 min 5 s. */
export function formatCpuSeconds(seconds: number): string {
  if (seconds < 0.1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  return formatDuration(Math.round(seconds * 1000));
}
