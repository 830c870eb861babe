/** Small pure formatters the views share. */

export const percent = (value: number | undefined, digits = 0): string => (value === undefined ? '—' : `${(value * 100).toFixed(digits)}%`);

/** 75 → "1 min 15 s", 7260 → "2 h 01 min", negative → prefixed with "−" (overdue). */
export function duration(seconds: number): string {
  const sign = seconds < 0 ? '−' : '';
  const s = Math.abs(Math.round(seconds));
  if (s < 60) return `${sign}${s} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  if (s < 86_400) return `${sign}${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
  return `${sign}${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}

/** The SLA state of a due time: counting down, at risk (≤ 15 min) or overdue. */
export function slaState(dueAtIso: string, nowMs: number): { text: string; level: 'ok' | 'risk' | 'overdue'; seconds: number } {
  const seconds = (Date.parse(dueAtIso) - nowMs) / 1000;
  if (seconds <= 0) return { text: `overdue by ${duration(-seconds)}`, level: 'overdue', seconds };
  return { text: `due in ${duration(seconds)}`, level: seconds <= 15 * 60 ? 'risk' : 'ok', seconds };
}

/** "nextBookingAt" → "Next booking at"; "gdprComplianceStatus" → "Gdpr compliance status". */
export function humanize(key: string): string {
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[_-]+/g, ' ').trim().toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A context value as text: money as money, ISO times as local times, objects flattened. */
export function displayValue(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? value.toLocaleString('en-GB') : String(value);
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return new Date(value).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short' });
    return value;
  }
  if (Array.isArray(value)) return value.map(displayValue).join(', ');
  if (typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.value === 'number' && typeof o.currency === 'string') return new Intl.NumberFormat('en-GB', { style: 'currency', currency: o.currency }).format(o.value);
    return Object.entries(o).map(([k, v]) => `${humanize(k)}: ${displayValue(v)}`).join('; ');
  }
  return String(value);
}
