/**
 * Approval records (pure): what an approver records beyond an outcome, checked against what the
 * chosen option asks for (`inputs`) and the policy's vocabulary (`approval.checklist`,
 * `approval.conditions`). Every problem is named, so the reviewer knows what to fill in.
 */
import type { ApprovalRecord } from './events';
import { APPROVAL_INPUTS, type ApprovalInput, type OptionInputs, type Policy } from './policy';
import { fail, ok, type Failure, type Result } from './result';

/** Longest modifications text or rollback plan, in characters. */
export const MAX_APPROVAL_TEXT = 4000;

/** A required input missing; the message names it (and, for a checklist, the unanswered items). */
export const APPROVAL_INPUT_REQUIRED = 'VALIDATION.APPROVAL_INPUT_REQUIRED';
/** An input malformed, not taken by the option, or outside the policy's vocabulary. */
export const APPROVAL_INPUT_INVALID = 'VALIDATION.APPROVAL_INPUT_INVALID';

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Checks `raw` (the request's `approval`, possibly absent) for the option `{ id, inputs }` of `policy`.
 * Returns the record to store and deliver (undefined when nothing was recorded), or a failure that
 * names every missing required input and every malformed one.
 */
export function checkApproval(policy: Pick<Policy, 'id' | 'approval'>, option: { id: string; inputs?: OptionInputs }, raw: unknown): Result<ApprovalRecord | undefined> {
  const inputs = option.inputs ?? {};
  const taken = APPROVAL_INPUTS.filter((k) => inputs[k] !== undefined);
  if (raw !== undefined && !isObject(raw)) return fail({ code: APPROVAL_INPUT_INVALID, message: 'approval must be an object with checklist, modifications, rollbackPlan or conditions' });
  const given = (raw ?? {}) as Record<string, unknown>;
  const invalid: string[] = [];
  const missing: string[] = [];

  const unknown = Object.keys(given).filter((k) => !(APPROVAL_INPUTS as readonly string[]).includes(k));
  if (unknown.length) invalid.push(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `approval.${k}`).join(', ')}; allowed: ${APPROVAL_INPUTS.join(', ')}`);
  const notTaken = APPROVAL_INPUTS.filter((k) => given[k] !== undefined && inputs[k] === undefined);
  if (notTaken.length) invalid.push(`option ${option.id} does not take ${notTaken.map((k) => `approval.${k}`).join(', ')}${taken.length ? ` (it takes ${taken.map((k) => `approval.${k}`).join(', ')})` : ' (it takes no approval inputs)'}`);

  const record: ApprovalRecord = {};
  const need = (k: ApprovalInput): boolean => inputs[k] === 'required';

  if (inputs.checklist !== undefined) {
    const items = policy.approval?.checklist ?? [];
    const answers = given.checklist;
    if (answers === undefined) {
      if (need('checklist')) missing.push(`approval.checklist (answer every item: ${items.map((i) => i.id).join(', ')})`);
    } else if (!isObject(answers)) {
      invalid.push('approval.checklist must be an object of item id → true/false');
    } else {
      const ids = new Set(items.map((i) => i.id));
      const strangers = Object.keys(answers).filter((k) => !ids.has(k));
      if (strangers.length) invalid.push(`approval.checklist has no item ${strangers.join(', ')}; items: ${[...ids].join(', ')}`);
      const notBoolean = Object.entries(answers).filter(([k, v]) => ids.has(k) && typeof v !== 'boolean').map(([k]) => k);
      if (notBoolean.length) invalid.push(`approval.checklist.${notBoolean.join(', approval.checklist.')} must be true or false`);
      const unanswered = items.filter((i) => answers[i.id] === undefined).map((i) => i.id);
      if (need('checklist') && unanswered.length) missing.push(`approval.checklist.${unanswered.join(', approval.checklist.')}`);
      const checklist: Record<string, boolean> = {};
      for (const item of items) if (typeof answers[item.id] === 'boolean') checklist[item.id] = answers[item.id] as boolean;
      if (Object.keys(checklist).length) record.checklist = checklist;
    }
  }

  for (const k of ['modifications', 'rollbackPlan'] as const) {
    if (inputs[k] === undefined) continue;
    const value = given[k];
    if (value === undefined || (typeof value === 'string' && value.trim() === '')) {
      if (need(k)) missing.push(`approval.${k}`);
      continue;
    }
    if (typeof value !== 'string') invalid.push(`approval.${k} must be a string`);
    else if (value.length > MAX_APPROVAL_TEXT) invalid.push(`approval.${k} must be at most ${MAX_APPROVAL_TEXT} characters`);
    else record[k] = value.trim();
  }

  if (inputs.conditions !== undefined) {
    const vocabulary = (policy.approval?.conditions ?? []).map((c) => c.code);
    const value = given.conditions;
    if (value === undefined || (Array.isArray(value) && value.length === 0)) {
      if (need('conditions')) missing.push(`approval.conditions (one or more of: ${vocabulary.join(', ')})`);
    } else if (!Array.isArray(value) || !value.every((c) => typeof c === 'string')) {
      invalid.push('approval.conditions must be a list of condition codes');
    } else {
      const strangers = value.filter((c) => !vocabulary.includes(c));
      if (strangers.length) invalid.push(`approval.conditions: ${strangers.join(', ')} not in the ${policy.id} conditions; one or more of: ${vocabulary.join(', ')}`);
      else if (new Set(value).size !== value.length) invalid.push('approval.conditions must not repeat a code');
      else record.conditions = [...value];
    }
  }

  if (invalid.length) return fail({ code: APPROVAL_INPUT_INVALID, message: [...invalid, ...missing.map((m) => `${m} is required with option ${option.id}`)].join('; ') } satisfies Failure);
  if (missing.length) return fail({ code: APPROVAL_INPUT_REQUIRED, message: `option ${option.id} requires ${missing.join('; ')}` });
  return ok(Object.keys(record).length ? record : undefined);
}
