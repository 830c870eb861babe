import { Firestore } from '@google-cloud/firestore';
import { testStack, uniqueName } from './support';

// Emulator calls can take longer than Jest's default 5 s (`pnpm test` also passes --testTimeout).
jest.setTimeout(120_000);

describe('the Firestore emulator of the test stack', () => {
  it('stores and returns a document through FIRESTORE_EMULATOR_HOST', async () => {
    const { projectId } = testStack();
    const firestore = new Firestore({ projectId });
    try {
      const ref = firestore.collection('itest').doc(uniqueName('doc'));
      await ref.set({ state: 'open', attempts: 1 });
      const snapshot = await ref.get();
      expect(snapshot.data()).toEqual({ state: 'open', attempts: 1 });
    } finally {
      await firestore.terminate();
    }
  });
});
