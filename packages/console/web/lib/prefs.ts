/**
 * A reviewer's comfort settings, kept in this browser per reviewer id (`localStorage`): photos blurred
 * or in greyscale until hovered or focused (moderation consoles' wellness practice), and the compact
 * batch layout (ten cases on one screen). Pure parsing here; the DOM applies them (app.ts).
 */
export interface Prefs {
  blur: boolean;
  greyscale: boolean;
  compactBatch: boolean;
}

export const DEFAULT_PREFS: Prefs = { blur: false, greyscale: false, compactBatch: false };

export const prefsKey = (reviewerId: string): string => `arbiter.console.prefs.${reviewerId}`;

/** Stored text → prefs; anything unreadable falls back to the defaults, field by field. */
export function parsePrefs(text: string | null): Prefs {
  if (!text) return { ...DEFAULT_PREFS };
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    return { blur: o.blur === true, greyscale: o.greyscale === true, compactBatch: o.compactBatch === true };
  } catch {
    return { ...DEFAULT_PREFS };
  }
}
