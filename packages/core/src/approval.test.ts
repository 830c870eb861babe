import { APPROVAL_INPUT_INVALID, APPROVAL_INPUT_REQUIRED, checkApproval } from './approval';
import type { Policy } from './policy';

const policy: Pick<Policy, 'id' | 'approval'> = {
  id: 'journey-logic-architecture',
  approval: {
    checklist: [
      { id: 'journey-stage-definitions', label: 'Journey stage definitions and flow logic' },
      { id: 'personalization-parameters', label: 'Personalization algorithm parameters' },
    ],
    conditions: [{ code: 'STAGED_ROLLOUT_5_PERCENT', label: 'Staged rollout to 5 % first' }],
  },
};

const withModifications = { id: 'approve-with-modifications', inputs: { checklist: 'required', modifications: 'required', conditions: 'optional' } as const };
const plain = { id: 'approve' };

describe('checkApproval', () => {
  it('returns the record the option asks for, trimmed, in the policy order of the checklist', () => {
    const result = checkApproval(policy, withModifications, {
      checklist: { 'personalization-parameters': false, 'journey-stage-definitions': true },
      modifications: '  Limit the scarcity banner to returning visitors.  ',
      conditions: ['STAGED_ROLLOUT_5_PERCENT'],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        checklist: { 'journey-stage-definitions': true, 'personalization-parameters': false },
        modifications: 'Limit the scarcity banner to returning visitors.',
        conditions: ['STAGED_ROLLOUT_5_PERCENT'],
      },
    });
  });

  it('names every missing required input, and each unanswered checklist item', () => {
    const result = checkApproval(policy, withModifications, { checklist: { 'journey-stage-definitions': true } });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe(APPROVAL_INPUT_REQUIRED);
    expect(result.error.message).toContain('approval.checklist.personalization-parameters');
    expect(result.error.message).toContain('approval.modifications');
    expect(result.error.message).not.toContain('approval.conditions');
  });

  it('treats a blank text as missing and an absent approval as every required input missing', () => {
    const blank = checkApproval(policy, { id: 'approve-with-rollback-plan', inputs: { rollbackPlan: 'required' } }, { rollbackPlan: '   ' });
    expect(blank).toEqual({ ok: false, error: { code: APPROVAL_INPUT_REQUIRED, message: 'option approve-with-rollback-plan requires approval.rollbackPlan' } });
    const absent = checkApproval(policy, withModifications, undefined);
    expect(absent.ok || absent.error.message).toMatch(/approval\.checklist \(answer every item: journey-stage-definitions, personalization-parameters\); approval\.modifications$/);
  });

  it('refuses inputs the option does not take, unknown fields, unknown items and conditions, and non-boolean answers', () => {
    const notTaken = checkApproval(policy, plain, { modifications: 'x' });
    expect(notTaken).toEqual({ ok: false, error: { code: APPROVAL_INPUT_INVALID, message: 'option approve does not take approval.modifications (it takes no approval inputs)' } });
    const bad = checkApproval(policy, withModifications, {
      checklist: { 'journey-stage-definitions': 'yes', 'personalization-parameters': true, 'upsell-rules': true },
      modifications: 'm',
      conditions: ['FULL_ROLLOUT'],
      comments: 'no',
    });
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.error.code).toBe(APPROVAL_INPUT_INVALID);
    expect(bad.error.message).toContain('approval.comments');
    expect(bad.error.message).toContain('no item upsell-rules');
    expect(bad.error.message).toContain('approval.checklist.journey-stage-definitions must be true or false');
    expect(bad.error.message).toContain('FULL_ROLLOUT not in the journey-logic-architecture conditions');
    expect(checkApproval(policy, withModifications, 'approve').ok).toBe(false);
  });

  it('takes nothing for an option without inputs, and leaves optional inputs out when not given', () => {
    expect(checkApproval(policy, plain, undefined)).toEqual({ ok: true, value: undefined });
    expect(checkApproval(policy, plain, {})).toEqual({ ok: true, value: undefined });
    const optional = checkApproval(policy, { id: 'approve', inputs: { checklist: 'optional', conditions: 'optional' } }, { checklist: { 'journey-stage-definitions': true } });
    expect(optional).toEqual({ ok: true, value: { checklist: { 'journey-stage-definitions': true } } });
  });

  it('refuses a text longer than 4000 characters', () => {
    const result = checkApproval(policy, withModifications, { checklist: { 'journey-stage-definitions': true, 'personalization-parameters': true }, modifications: 'x'.repeat(4001) });
    expect(result.ok || result.error.message).toBe('approval.modifications must be at most 4000 characters');
  });
});
