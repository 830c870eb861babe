/** Decision options, reason codes and precedents: which reasons fit an option, and what precedents suggest. */
export interface DecisionOption {
  id: string;
  label: string;
  kind: string;
  outcome?: string;
  requiresReason?: boolean;
  shortcut?: string;
  /** The approval inputs the option asks for (checklist, modifications, rollbackPlan, conditions). */
  inputs?: Partial<Record<'checklist' | 'modifications' | 'rollbackPlan' | 'conditions', 'required' | 'optional'>>;
}

export interface ReasonCode {
  code: string;
  label: string;
  appliesTo?: string[];
}

export interface Precedent {
  caseId: string;
  similarity: number;
  basis: string;
  /** Why the cases are similar, one line per part compared (regions by overlap, label, embedding, …). */
  why?: string[];
  label?: string;
  confidence: number;
  outcome: string;
  reasonCode?: string;
  decidedBy: string;
  decidedAt: string;
}

/** The reason codes a reviewer may pick for an option (a code without appliesTo fits every option). */
export const reasonsFor = (option: DecisionOption, reasons: readonly ReasonCode[]): ReasonCode[] => reasons.filter((r) => !r.appliesTo || r.appliesTo.length === 0 || r.appliesTo.includes(option.id));

/** The option a key press stands for (case-insensitive; no shortcut, no match). */
export const optionForKey = <T extends DecisionOption>(options: readonly T[], key: string): T | undefined => options.find((o) => o.shortcut !== undefined && o.shortcut.toLowerCase() === key.toLowerCase());

export interface Suggestion {
  optionId: string;
  reasonCode?: string;
  outcome: string;
  /** Share of the precedents' similarity weight behind this outcome (0–1). */
  support: number;
  basedOn: number;
}

/**
 * What the most similar decided cases suggest: the outcome with the most similarity-weighted votes
 * among human and automatic decisions, the option that reaches it, and that outcome's most common
 * reason code when it fits the option. Policy defaults (expiry, low confidence) do not vote: they say
 * nobody looked, not what the right answer was.
 */
export function suggestFromPrecedents(precedents: readonly Precedent[], options: readonly DecisionOption[], reasons: readonly ReasonCode[]): Suggestion | undefined {
  const voters = precedents.filter((p) => p.decidedBy !== 'policy');
  if (voters.length === 0) return undefined;
  const weight = new Map<string, number>();
  for (const p of voters) weight.set(p.outcome, (weight.get(p.outcome) ?? 0) + Math.max(p.similarity, 0.01));
  const total = [...weight.values()].reduce((a, b) => a + b, 0);
  const [outcome, w] = [...weight.entries()].sort((a, b) => b[1] - a[1])[0] as [string, number];
  const option = options.find((o) => o.kind === 'decide' && o.outcome === outcome);
  if (!option) return undefined;
  const fitting = new Set(reasonsFor(option, reasons).map((r) => r.code));
  const counts = new Map<string, number>();
  for (const p of voters) if (p.outcome === outcome && p.reasonCode && fitting.has(p.reasonCode)) counts.set(p.reasonCode, (counts.get(p.reasonCode) ?? 0) + 1);
  const reasonCode = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  return { optionId: option.id, outcome, support: w / total, basedOn: voters.length, ...(reasonCode ? { reasonCode } : {}) };
}
