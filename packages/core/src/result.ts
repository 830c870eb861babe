/** Expected outcomes are values, not exceptions. Codes are dotted strings (`POLICY.UNKNOWN_USE_CASE`). */
export interface Failure {
  code: string;
  message: string;
}

export type Result<T, E extends Failure = Failure> = { ok: true; value: T } | { ok: false; error: E };

export const ok = <T>(value: T): { ok: true; value: T } => ({ ok: true, value });
export const fail = <E extends Failure>(error: E): { ok: false; error: E } => ({ ok: false, error });
