/**
 * `pnpm demo --reviewers`: simulated reviewers working the queues through the reviewer API, so the
 * metrics that need human verdicts (SLA, alignment, overrides, κ, golden accuracy, labelled
 * examples) show real numbers. Tokens are signed with the local identity key `pnpm start` gave
 * review-queue (.arbiter/local-identity-key.json). Each case has a simulated "truth"
 * (the model's outcome with a probability rising with its confidence, deterministic per case), and
 * each reviewer follows it with their own accuracy — so reviewers disagree realistically, more on
 * uncertain cases. Golden cases (loaded first from a demo golden set) are answered the same way.
 */
import { readFileSync } from 'node:fs';
import { unitInterval } from '@arbiter/core';
import { localIdentityKeyFile } from './paths';
import { signReviewerToken } from './identity';

interface Option { id: string; kind: string; outcome?: string; inputs?: Record<string, 'required' | 'optional'> }
interface ApprovalSpec { checklist?: Array<{ id: string }>; conditions?: Array<{ code: string }> }

/** What a simulated approver records for an option that asks for it: every checklist item ticked, texts written. */
function simulatedApproval(option: Option, spec: ApprovalSpec): Record<string, unknown> | undefined {
  const inputs = option.inputs ?? {};
  const approval: Record<string, unknown> = {};
  if (inputs.checklist) approval.checklist = Object.fromEntries((spec.checklist ?? []).map((i) => [i.id, true]));
  if (inputs.modifications === 'required') approval.modifications = 'Simulated reviewer: ship behind a feature flag and report the conversion lift after one week.';
  if (inputs.rollbackPlan === 'required') approval.rollbackPlan = 'Simulated reviewer: snapshot the affected tables first; the down migration restores the previous schema.';
  if (inputs.conditions === 'required') approval.conditions = (spec.conditions ?? []).slice(0, 1).map((c) => c.code);
  return Object.keys(approval).length ? approval : undefined;
}
interface ReasonCode { code: string; appliesTo?: string[] }

const mint = (sub: string, roles: string[]): Promise<string> => signReviewerToken(JSON.parse(readFileSync(localIdentityKeyFile(), 'utf8')), sub, roles, { ttlSeconds: 8 * 3600 });

export interface DemoReviewersOptions {
  apiUrl: string;
  /** Queue roles of the shipped policies (each simulated reviewer gets all of them). */
  queueRoles: string[];
  reviewers?: number;
  /** Stop after this long (ms) or when every queue is empty. */
  maxMs?: number;
  log?: (message: string) => void;
  /** Signs a reviewer's token (default: with the local identity key `pnpm start` wrote). */
  mint?: (sub: string, roles: string[]) => Promise<string>;
}

export async function simulateReviewers(options: DemoReviewersOptions): Promise<{ verdicts: number; byPurpose: Record<string, number> }> {
  const log = options.log ?? (() => undefined);
  const names = ['rev-ada', 'rev-ben', 'rev-cleo', 'rev-dev', 'rev-eli'].slice(0, options.reviewers ?? 4);
  const accuracy: Record<string, number> = { 'rev-ada': 0.97, 'rev-ben': 0.93, 'rev-cleo': 0.88, 'rev-dev': 0.95, 'rev-eli': 0.9 };
  const sign = options.mint ?? mint;
  const tokens = new Map(await Promise.all(names.map(async (n) => [n, await sign(n, ['reviewer', ...options.queueRoles])] as const)));
  const lead = await sign('lead-demo', ['lead']);
  const api = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${options.apiUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : {} };
  };
  const queues = ((await api('GET', '/queues', lead)).body.queues ?? []) as Array<{ queue: string }>;
  const deadline = Date.now() + (options.maxMs ?? 120_000);
  const byPurpose: Record<string, number> = {};
  let verdicts = 0;
  let idle = 0;
  while (Date.now() < deadline && idle < 2) {
    let worked = 0;
    for (const name of names) {
      const token = tokens.get(name) as string;
      for (const { queue } of queues) {
        const next = await api('POST', `/queues/${encodeURIComponent(queue)}/next`, token, {});
        const item = next.body.item as { itemId: string; caseId: string; purpose: string } | null;
        if (!item) continue;
        // The lead's view reveals the model's call (even on blind items) — the simulator's truth comes from it.
        const view = (await api('GET', `/cases/${encodeURIComponent(item.caseId)}`, lead)).body as { prediction?: { modelOutcome?: string; confidence?: number }; options?: { decisionOptions: Option[]; reasonCodes: ReasonCode[]; approval?: ApprovalSpec } };
        const decide = (view.options?.decisionOptions ?? []).filter((o) => o.kind === 'decide');
        if (decide.length === 0) continue;
        const modelOutcome = view.prediction?.modelOutcome;
        const confidence = view.prediction?.confidence ?? 0.75;
        // Truth: the model is right with probability ~ its confidence (a little better), per case.
        const modelRight = unitInterval(`truth:${item.caseId}`) < Math.min(0.98, 0.25 + confidence * 0.8);
        const truth = modelRight ? decide.find((o) => o.outcome === modelOutcome) ?? decide[0] : decide.find((o) => o.outcome !== modelOutcome) ?? decide[0];
        const right = unitInterval(`${name}:${item.itemId}`) < (accuracy[name] ?? 0.9);
        const chosen = right ? (truth as Option) : decide.find((o) => o.id !== truth?.id) ?? (truth as Option);
        const reason = (view.options?.reasonCodes ?? []).find((r) => !r.appliesTo?.length || r.appliesTo.includes(chosen.id));
        const approval = simulatedApproval(chosen, view.options?.approval ?? {});
        const res = await api('POST', `/cases/${encodeURIComponent(item.caseId)}/decision`, token, { optionId: chosen.id, ...(reason ? { reasonCode: reason.code } : {}), ...(approval ? { approval } : {}) });
        if (res.status === 200) {
          verdicts += 1;
          worked += 1;
          const purpose = String(res.body.purpose ?? item.purpose);
          byPurpose[purpose] = (byPurpose[purpose] ?? 0) + 1;
        } else {
          await api('POST', `/items/${encodeURIComponent(item.itemId)}/release`, token, {});
        }
      }
    }
    idle = worked === 0 ? idle + 1 : 0;
    if (worked === 0) await new Promise((r) => setTimeout(r, 1500));
    log(`reviewers: ${verdicts} verdicts so far`);
  }
  return { verdicts, byPurpose };
}
