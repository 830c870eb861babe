import { fail, ok, type Result } from '@arbiter/core';
import { storeFailure, type StoreFailure } from './ports';

/**
 * A failure of the store itself (a gRPC status: unavailable, deadline exceeded, aborted too often) is
 * a result the caller can act on; anything else thrown inside a unit of work is a bug and propagates.
 */
export async function storeResult<T>(run: () => Promise<T>): Promise<Result<T, StoreFailure>> {
  try {
    return ok(await run());
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'number') return fail(storeFailure(error instanceof Error ? error.message : String(error)));
    throw error;
  }
}
