/**
 * Approval inputs in the console (pure): which inputs an option asks for, and the `approval` body a
 * decision sends from what the form holds. The API checks the same rules and names what is missing;
 * the console says it first, without a round trip.
 */
export type ApprovalInput = 'checklist' | 'modifications' | 'rollbackPlan' | 'conditions';
export type OptionInputs = Partial<Record<ApprovalInput, 'required' | 'optional'>>;

export interface ApprovalSpec {
  checklist?: Array<{ id: string; label: string }>;
  conditions?: Array<{ code: string; label: string }>;
}

export interface ApprovalRecord {
  checklist?: Record<string, boolean>;
  modifications?: string;
  rollbackPlan?: string;
  conditions?: string[];
}

/** What the form holds: every checklist item shown is answered (a box is ticked or not). */
export interface ApprovalForm {
  checklist: Record<string, boolean>;
  modifications: string;
  rollbackPlan: string;
  conditions: string[];
}

export const INPUT_LABELS: Record<ApprovalInput, string> = {
  checklist: 'Approval required for',
  modifications: 'Modifications (for the implementing team)',
  rollbackPlan: 'Backup and rollback plan',
  conditions: 'Conditions',
};

/** The `approval` of a decision request for an option, or what is missing (labels, in form order). */
export function approvalBody(inputs: OptionInputs | undefined, spec: ApprovalSpec, form: ApprovalForm): { approval?: ApprovalRecord; missing: string[] } {
  const need = inputs ?? {};
  const approval: ApprovalRecord = {};
  const missing: string[] = [];
  if (need.checklist && (spec.checklist ?? []).length) approval.checklist = Object.fromEntries((spec.checklist ?? []).map((i) => [i.id, form.checklist[i.id] === true]));
  for (const k of ['modifications', 'rollbackPlan'] as const) {
    if (!need[k]) continue;
    const text = form[k].trim();
    if (text) approval[k] = text;
    else if (need[k] === 'required') missing.push(INPUT_LABELS[k]);
  }
  if (need.conditions) {
    if (form.conditions.length) approval.conditions = [...form.conditions];
    else if (need.conditions === 'required') missing.push(INPUT_LABELS.conditions);
  }
  return { ...(Object.keys(approval).length ? { approval } : {}), missing };
}
