/**
 * Request bodies, checked by hand so every message names the field and says what to send. Then the
 * policy checks: the option exists, the reason code is in the taxonomy and fits the option.
 */
import { checkApproval, fail, ok, type ApprovalRecord, type BatchOption, type DecisionOption, type Failure, type Policy, type ReasonCode, type Result } from '@arbiter/core';

const invalid = (message: string): { ok: false; error: Failure } => fail({ code: 'VALIDATION.INVALID_BODY', message });

type Body = Record<string, unknown>;

function objectBody(body: unknown, allowed: readonly string[]): Result<Body> {
  if (body === undefined || body === null) return ok({});
  if (typeof body !== 'object' || Array.isArray(body)) return invalid('the body must be a JSON object');
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length) return invalid(`unknown field${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `"${k}"`).join(', ')}; allowed: ${allowed.join(', ')}`);
  return ok(body as Body);
}

const problems = {
  str: (name: string, value: unknown, { required, max }: { required: boolean; max: number }): string | undefined => {
    if (value === undefined) return required ? `${name} is required (a string)` : undefined;
    if (typeof value !== 'string') return `${name} must be a string`;
    if (value.trim() === '') return `${name} must not be empty`;
    if (value.length > max) return `${name} must be at most ${max} characters`;
    return undefined;
  },
  ids: (name: string, value: unknown, { required, max }: { required: boolean; max: number }): string | undefined => {
    if (value === undefined) return required ? `${name} is required (a list of item ids)` : undefined;
    if (!Array.isArray(value)) return `${name} must be a list of item ids`;
    if (required && value.length === 0) return `${name} must not be empty`;
    if (value.length > max) return `${name} may hold at most ${max} ids`;
    if (!value.every((v) => typeof v === 'string' && v !== '')) return `${name} must hold non-empty strings only`;
    if (new Set(value).size !== value.length) return `${name} must not repeat an id`;
    return undefined;
  },
};

function collect(found: Array<string | undefined>): { ok: false; error: Failure } | undefined {
  const messages = found.filter((m): m is string => m !== undefined);
  return messages.length ? invalid(messages.join('; ')) : undefined;
}

export interface DecisionBody {
  optionId: string;
  reasonCode?: string;
  notes?: string;
  /** The approval record, as sent: checked against the chosen option (`checkApproval`). */
  approval?: unknown;
}

export const MAX_NOTES = 4000;

export function parseDecisionBody(body: unknown): Result<DecisionBody> {
  const o = objectBody(body, ['optionId', 'reasonCode', 'notes', 'approval']);
  if (!o.ok) return o;
  const { optionId, reasonCode, notes, approval } = o.value;
  const bad = collect([
    problems.str('optionId', optionId, { required: true, max: 100 }),
    problems.str('reasonCode', reasonCode, { required: false, max: 100 }),
    problems.str('notes', notes, { required: false, max: MAX_NOTES }),
  ]);
  if (bad) return bad;
  return ok({ optionId: optionId as string, ...(reasonCode !== undefined ? { reasonCode: reasonCode as string } : {}), ...(notes !== undefined ? { notes: notes as string } : {}), ...(approval !== undefined ? { approval } : {}) });
}

export interface BatchDecisionBody extends DecisionBody {
  itemIds: string[];
  flagged: string[];
}

export const MAX_BATCH = 50;

export function parseBatchDecisionBody(body: unknown): Result<BatchDecisionBody> {
  const o = objectBody(body, ['itemIds', 'optionId', 'flagged', 'reasonCode', 'notes', 'approval']);
  if (!o.ok) return o;
  const { itemIds, optionId, flagged, reasonCode, notes, approval } = o.value;
  const bad = collect([
    problems.ids('itemIds', itemIds, { required: true, max: MAX_BATCH }),
    problems.str('optionId', optionId, { required: true, max: 100 }),
    problems.ids('flagged', flagged, { required: false, max: MAX_BATCH }),
    problems.str('reasonCode', reasonCode, { required: false, max: 100 }),
    problems.str('notes', notes, { required: false, max: MAX_NOTES }),
  ]);
  if (bad) return bad;
  const ids = itemIds as string[];
  const flags = (flagged as string[] | undefined) ?? [];
  const strangers = flags.filter((id) => !ids.includes(id));
  if (strangers.length) return invalid(`flagged must be a subset of itemIds; not in itemIds: ${strangers.join(', ')}`);
  return ok({
    itemIds: ids,
    optionId: optionId as string,
    flagged: flags,
    ...(reasonCode !== undefined ? { reasonCode: reasonCode as string } : {}),
    ...(notes !== undefined ? { notes: notes as string } : {}),
    ...(approval !== undefined ? { approval } : {}),
  });
}

export interface EvidenceRequestBody {
  what: string;
  reasonCode: string;
}

export function parseEvidenceRequestBody(body: unknown): Result<EvidenceRequestBody> {
  const o = objectBody(body, ['what', 'reasonCode']);
  if (!o.ok) return o;
  const { what, reasonCode } = o.value;
  const bad = collect([problems.str('what', what, { required: true, max: 2000 }), problems.str('reasonCode', reasonCode, { required: true, max: 100 })]);
  if (bad) return bad;
  return ok({ what: what as string, reasonCode: reasonCode as string });
}

export interface ReleaseBody {
  reassignTo?: string;
}

export function parseReleaseBody(body: unknown): Result<ReleaseBody> {
  const o = objectBody(body, ['reassignTo']);
  if (!o.ok) return o;
  const bad = collect([problems.str('reassignTo', o.value.reassignTo, { required: false, max: 128 })]);
  if (bad) return bad;
  return ok(o.value.reassignTo !== undefined ? { reassignTo: o.value.reassignTo as string } : {});
}

export interface NextBody {
  /**
   * Claim ahead: the items the console already holds (the case on screen, a decision in flight). The
   * caller gets one more case beyond them, under the short ahead lease, so the next case is loaded
   * before it is needed; a held claim not in the list is renewed and returned instead of a new one.
   */
  ahead?: string[];
}

export function parseNextBody(body: unknown): Result<NextBody> {
  const o = objectBody(body, ['ahead']);
  if (!o.ok) return o;
  const bad = collect([problems.ids('ahead', o.value.ahead, { required: false, max: 5 })]);
  if (bad) return bad;
  return ok(o.value.ahead !== undefined ? { ahead: o.value.ahead as string[] } : {});
}

export function parseEmptyBody(body: unknown): Result<Record<string, never>> {
  const o = objectBody(body, []);
  return o.ok ? ok({}) : o;
}

export interface PageQuery {
  limit: number;
  pageToken?: string;
}

export function parsePageQuery(query: Record<string, unknown>): Result<PageQuery> {
  const unknown = Object.keys(query).filter((k) => k !== 'limit' && k !== 'pageToken');
  if (unknown.length) return fail({ code: 'VALIDATION.INVALID_QUERY', message: `unknown query parameter${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; allowed: limit, pageToken` });
  const raw = query.limit;
  let limit = 50;
  if (raw !== undefined) {
    const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (!(n >= 1 && n <= 200)) return fail({ code: 'VALIDATION.INVALID_QUERY', message: 'limit must be a whole number from 1 to 200' });
    limit = n;
  }
  const token = query.pageToken;
  if (token !== undefined && (typeof token !== 'string' || token === '')) return fail({ code: 'VALIDATION.INVALID_QUERY', message: 'pageToken must be the nextPageToken of the previous page' });
  return ok({ limit, ...(typeof token === 'string' ? { pageToken: token } : {}) });
}

// ── Policy checks ──────────────────────────────────────────────────────────────────────────────

const reasonFits = (reason: ReasonCode, optionId: string): boolean =>
  !reason.appliesTo || reason.appliesTo.length === 0 ? true : reason.appliesTo.includes(optionId);

const offered = (reason: ReasonCode): boolean => !(reason.appliesTo ?? []).includes('policy');

function checkReason(policy: Policy, optionId: string, requiresReason: boolean, reasonCode: string | undefined): Result<ReasonCode | undefined> {
  if (reasonCode === undefined) {
    if (!requiresReason) return ok(undefined);
    const choices = policy.reasonCodes.filter((r) => offered(r) && reasonFits(r, optionId)).map((r) => r.code);
    return fail({ code: 'VALIDATION.REASON_REQUIRED', message: `reasonCode is required with option ${optionId}; one of: ${choices.join(', ')}` });
  }
  const reason = policy.reasonCodes.find((r) => r.code === reasonCode);
  if (!reason || !offered(reason)) return fail({ code: 'VALIDATION.UNKNOWN_REASON', message: `reasonCode ${reasonCode} is not in the ${policy.id} reason-code taxonomy` });
  if (!reasonFits(reason, optionId)) {
    const choices = policy.reasonCodes.filter((r) => offered(r) && reasonFits(r, optionId)).map((r) => r.code);
    return fail({ code: 'VALIDATION.REASON_MISMATCH', message: `reasonCode ${reasonCode} does not apply to option ${optionId}; use one of: ${choices.join(', ')}` });
  }
  return ok(reason);
}

/** A decision option a reviewer may use on one case (never `request-evidence`: that has its own endpoint). */
export function checkDecisionOption(policy: Policy, body: DecisionBody): Result<DecisionOption & { outcome: string; approval?: ApprovalRecord }> {
  const option = policy.decisionOptions.find((o) => o.id === body.optionId);
  if (!option) return fail({ code: 'VALIDATION.UNKNOWN_OPTION', message: `optionId ${body.optionId} is not a decision option of ${policy.id}; one of: ${policy.decisionOptions.filter((o) => o.kind === 'decide').map((o) => o.id).join(', ')}` });
  if (option.kind !== 'decide' || option.outcome === undefined) {
    return fail({ code: 'VALIDATION.USE_EVIDENCE_REQUEST', message: `option ${option.id} requests evidence: use POST /api/cases/{caseId}/evidence-request with { what, reasonCode }` });
  }
  const reason = checkReason(policy, option.id, option.requiresReason, body.reasonCode);
  if (!reason.ok) return reason;
  const approval = checkApproval(policy, option, body.approval);
  if (!approval.ok) return approval;
  return ok({ ...option, outcome: option.outcome, ...(approval.value ? { approval: approval.value } : {}) });
}

export function checkBatchOption(policy: Policy, body: BatchDecisionBody): Result<BatchOption & { approval?: ApprovalRecord }> {
  const option = (policy.batchOptions ?? []).find((o) => o.id === body.optionId);
  if (!option) {
    const ids = (policy.batchOptions ?? []).map((o) => o.id);
    return fail({ code: 'VALIDATION.UNKNOWN_OPTION', message: ids.length ? `optionId ${body.optionId} is not a batch option of ${policy.id}; one of: ${ids.join(', ')}` : `${policy.id} has no batch options` });
  }
  if (option.kind === 'decide-all' && body.flagged.length > 0) {
    return fail({ code: 'VALIDATION.INVALID_BODY', message: `flagged items need an option of kind decide-unflagged; ${option.id} decides every item` });
  }
  const reason = checkReason(policy, option.id, option.requiresReason, body.reasonCode);
  if (!reason.ok) return reason;
  const approval = checkApproval(policy, option, body.approval);
  if (!approval.ok) return approval;
  return ok({ ...option, ...(approval.value ? { approval: approval.value } : {}) });
}

/** The reason code of an evidence request must fit one of the policy's request-evidence options. */
export function checkEvidenceReason(policy: Policy, reasonCode: string): Result<DecisionOption> {
  const options = policy.decisionOptions.filter((o) => o.kind === 'request-evidence');
  if (options.length === 0) return fail({ code: 'VALIDATION.UNKNOWN_OPTION', message: `${policy.id} offers no request-evidence option` });
  const failures: Failure[] = [];
  for (const option of options) {
    const reason = checkReason(policy, option.id, true, reasonCode);
    if (reason.ok) return ok(option);
    failures.push(reason.error);
  }
  return fail(failures[0] as Failure);
}
