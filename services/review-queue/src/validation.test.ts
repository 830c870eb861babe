import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parsePolicyFiles } from '@arbiter/policy';
import type { Policy } from '@arbiter/core';
import { checkBatchOption, checkDecisionOption, checkEvidenceReason, parseBatchDecisionBody, parseDecisionBody, parseEvidenceRequestBody, parseNextBody, parsePageQuery, parseReleaseBody } from './validation';

const shipped = (id: string): Policy => {
  const text = readFileSync(join(__dirname, '..', '..', '..', 'policies', `${id}.yaml`), 'utf8');
  const r = parsePolicyFiles([{ file: `${id}.yaml`, text }]);
  if (!r.ok) throw new Error('policy');
  return r.value.get(id).ok ? (r.value.get(id) as { ok: true; value: Policy }).value : (undefined as never);
};
const policy = shipped('vehicle-cleanliness');

describe('request bodies', () => {
  it('accepts a decision and names every bad field', () => {
    expect(parseDecisionBody({ optionId: 'approve', reasonCode: 'CONFIRMED_SOILING', notes: 'n' })).toEqual({ ok: true, value: { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING', notes: 'n' } });
    const bad = parseDecisionBody({ optionId: 3, reasonCode: '', notes: 'x'.repeat(4001) });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION.INVALID_BODY' } });
    const message = bad.ok ? '' : bad.error.message;
    expect(message).toContain('optionId must be a string');
    expect(message).toContain('reasonCode must not be empty');
    expect(message).toContain('notes must be at most 4000 characters');
    expect(parseDecisionBody({})).toMatchObject({ ok: false, error: { message: 'optionId is required (a string)' } });
    expect(parseDecisionBody({ optionId: 'a', outcome: 'x' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('unknown field "outcome"') } });
    expect(parseDecisionBody([1])).toMatchObject({ ok: false, error: { message: 'the body must be a JSON object' } });
  });

  it('takes "next case" with or without the items held ahead of it', () => {
    expect(parseNextBody(undefined)).toEqual({ ok: true, value: {} });
    expect(parseNextBody({})).toEqual({ ok: true, value: {} });
    expect(parseNextBody({ ahead: ['case_1~decision'] })).toEqual({ ok: true, value: { ahead: ['case_1~decision'] } });
    expect(parseNextBody({ ahead: 'case_1~decision' })).toMatchObject({ ok: false, error: { message: 'ahead must be a list of item ids' } });
    expect(parseNextBody({ ahead: ['a', 'a'] })).toMatchObject({ ok: false, error: { message: 'ahead must not repeat an id' } });
    expect(parseNextBody({ ahead: ['a', 'b', 'c', 'd', 'e', 'f'] })).toMatchObject({ ok: false, error: { message: 'ahead may hold at most 5 ids' } });
    expect(parseNextBody({ queue: 'x' })).toMatchObject({ ok: false, error: { message: expect.stringContaining('unknown field "queue"') } });
  });

  it('checks batch bodies: ids, duplicates, flagged ⊆ itemIds', () => {
    expect(parseBatchDecisionBody({ itemIds: ['a', 'b'], optionId: 'approve-all' })).toEqual({ ok: true, value: { itemIds: ['a', 'b'], optionId: 'approve-all', flagged: [] } });
    expect(parseBatchDecisionBody({ itemIds: [], optionId: 'x' })).toMatchObject({ ok: false, error: { message: 'itemIds must not be empty' } });
    expect(parseBatchDecisionBody({ itemIds: ['a', 'a'], optionId: 'x' })).toMatchObject({ ok: false, error: { message: 'itemIds must not repeat an id' } });
    expect(parseBatchDecisionBody({ itemIds: ['a'], optionId: 'x', flagged: ['b'] })).toMatchObject({ ok: false, error: { message: expect.stringContaining('not in itemIds: b') } });
  });

  it('checks evidence requests, releases and paging', () => {
    expect(parseEvidenceRequestBody({ what: 'rear seat' })).toMatchObject({ ok: false, error: { message: 'reasonCode is required (a string)' } });
    expect(parseReleaseBody({ reassignTo: 'r-2' })).toEqual({ ok: true, value: { reassignTo: 'r-2' } });
    expect(parseReleaseBody(undefined)).toEqual({ ok: true, value: {} });
    expect(parsePageQuery({ limit: '500' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.INVALID_QUERY' } });
    expect(parsePageQuery({ limit: '20', pageToken: 'abc' })).toEqual({ ok: true, value: { limit: 20, pageToken: 'abc' } });
    expect(parsePageQuery({ sort: 'x' })).toMatchObject({ ok: false });
  });
});

describe('policy checks', () => {
  it('requires a reason code where the option says, from the taxonomy, fitting the option', () => {
    expect(checkDecisionOption(policy, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).toMatchObject({ ok: true, value: { outcome: 'fee_applied' } });
    expect(checkDecisionOption(policy, { optionId: 'approve' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.REASON_REQUIRED', message: expect.stringContaining('CONFIRMED_SOILING') } });
    expect(checkDecisionOption(policy, { optionId: 'approve', reasonCode: 'NOT_A_CODE' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.UNKNOWN_REASON' } });
    expect(checkDecisionOption(policy, { optionId: 'approve', reasonCode: 'LIGHTING_ARTIFACT' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.REASON_MISMATCH' } });
    // Policy-only codes are never offered to reviewers.
    expect(checkDecisionOption(policy, { optionId: 'reject', reasonCode: 'SLA_EXPIRED' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.UNKNOWN_REASON' } });
    expect(checkDecisionOption(policy, { optionId: 'request-photos', reasonCode: 'ANGLE_MISSING' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.USE_EVIDENCE_REQUEST' } });
    expect(checkDecisionOption(policy, { optionId: 'maybe' })).toMatchObject({ ok: false, error: { code: 'VALIDATION.UNKNOWN_OPTION' } });
  });

  it('checks batch options and evidence reasons', () => {
    expect(checkBatchOption(policy, { itemIds: ['a'], optionId: 'approve-unflagged', flagged: ['a'], reasonCode: 'CONFIRMED_SOILING' })).toMatchObject({ ok: true, value: { kind: 'decide-unflagged' } });
    expect(checkBatchOption(policy, { itemIds: ['a'], optionId: 'approve-all', flagged: ['a'], reasonCode: 'CONFIRMED_SOILING' })).toMatchObject({ ok: false });
    expect(checkBatchOption(policy, { itemIds: ['a'], optionId: 'approve', flagged: [] })).toMatchObject({ ok: false, error: { code: 'VALIDATION.UNKNOWN_OPTION' } });
    expect(checkEvidenceReason(policy, 'ANGLE_MISSING')).toMatchObject({ ok: true, value: { id: 'request-photos' } });
    expect(checkEvidenceReason(policy, 'CONFIRMED_SOILING')).toMatchObject({ ok: false, error: { code: 'VALIDATION.REASON_MISMATCH' } });
  });
});

describe('approval records', () => {
  const journey = shipped('journey-logic-architecture');
  const schema = shipped('database-schema-batch');
  const everyItem = Object.fromEntries((journey.approval?.checklist ?? []).map((i) => [i.id, true]));

  it('parses the approval as sent and checks it against the option', () => {
    const body = parseDecisionBody({ optionId: 'approve-with-modifications', reasonCode: 'MODIFICATIONS_SPECIFIED', approval: { checklist: everyItem, modifications: 'Two weeks for returning visitors only.' } });
    expect(body.ok).toBe(true);
    if (!body.ok) return;
    expect(checkDecisionOption(journey, body.value)).toMatchObject({ ok: true, value: { outcome: 'approved_with_modifications', approval: { checklist: everyItem, modifications: 'Two weeks for returning visitors only.' } } });
  });

  it('refuses a required input left out, naming it', () => {
    const missing = checkDecisionOption(journey, { optionId: 'approve-with-modifications', reasonCode: 'MODIFICATIONS_SPECIFIED', approval: { checklist: everyItem } });
    expect(missing).toEqual({ ok: false, error: { code: 'VALIDATION.APPROVAL_INPUT_REQUIRED', message: 'option approve-with-modifications requires approval.modifications' } });
    const unanswered = checkDecisionOption(journey, { optionId: 'approve', approval: { checklist: { 'journey-stage-definitions': true } } });
    expect(unanswered).toMatchObject({ ok: false, error: { code: 'VALIDATION.APPROVAL_INPUT_REQUIRED', message: expect.stringContaining('approval.checklist.ux-intelligence-integration') } });
    const batch = checkBatchOption(schema, { itemIds: ['a'], optionId: 'approve-all-with-rollback-plan', flagged: [], reasonCode: 'ROLLBACK_PLAN_DEFINED' });
    expect(batch).toMatchObject({ ok: false, error: { code: 'VALIDATION.APPROVAL_INPUT_REQUIRED', message: expect.stringContaining('approval.rollbackPlan') } });
  });

  it('takes nothing where the option asks for nothing', () => {
    expect(checkDecisionOption(policy, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING', approval: { modifications: 'x' } })).toMatchObject({ ok: false, error: { code: 'VALIDATION.APPROVAL_INPUT_INVALID' } });
    expect(checkDecisionOption(policy, { optionId: 'approve', reasonCode: 'CONFIRMED_SOILING' })).toEqual({ ok: true, value: expect.not.objectContaining({ approval: expect.anything() }) });
  });
});
