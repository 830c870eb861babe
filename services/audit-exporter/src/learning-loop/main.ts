#!/usr/bin/env node
/**
 * arbiter-learning-loop: the decision-quality commands over the audit trail (docs/metrics.md).
 *
 *   pnpm learning-loop report                        every seed success metric, from the metric views
 *   pnpm learning-loop thresholds [--target=0.95]    band thresholds per model version from labelled outcomes
 *   pnpm learning-loop rescore [<golden>] <file>     a new model version's predictions against the old one
 *   pnpm learning-loop golden load <file>            a golden set into Firestore `goldenCases`
 *   pnpm learning-loop post-action-report [--days=1] what was decided automatically, per category
 *
 * (`node services/audit-exporter/dist/learning-loop/main.js <command>`; `pnpm report` is the first.)
 * They read the stack named by BIGQUERY_EMULATOR_HOST / FIRESTORE_EMULATOR_HOST and ARBITER_PROJECT_ID,
 * or, where those are unset, by the running `pnpm start`'s .arbiter/stack.json.
 */
import { existsSync, readFileSync } from 'node:fs';
import { DefaultProjectId } from '@arbiter/contract';
import { loadGoldenSet, metricsReport, postActionReport, rescoreLoadedGoldenSet, rescoreReport, thresholdsReport, type LearningLoopEndpoints } from './report.bigquery';
import { stackFile } from '@arbiter/platform';

const endpointsFromEnvironment = (): LearningLoopEndpoints => {
  const env = process.env;
  const fromFile = existsSync(stackFile()) ? (JSON.parse(readFileSync(stackFile(), 'utf8')) as Partial<LearningLoopEndpoints>) : undefined;
  const bigquery = env.BIGQUERY_EMULATOR_HOST ?? fromFile?.bigqueryEmulatorHost;
  const firestore = env.FIRESTORE_EMULATOR_HOST ?? fromFile?.firestoreEmulatorHost ?? '';
  if (bigquery === undefined) throw new Error('the learning-loop commands need BIGQUERY_EMULATOR_HOST (or a running `pnpm start` and its .arbiter/stack.json)');
  const projectId = env.ARBITER_PROJECT_ID ?? env.GCLOUD_PROJECT ?? fromFile?.projectId ?? DefaultProjectId;
  return { projectId, bigqueryEmulatorHost: bigquery, firestoreEmulatorHost: firestore };
};

const main = async (): Promise<void> => {
  const [command, ...args] = process.argv.slice(2);
  switch (command) {
    case 'report':
      process.stdout.write(`${await metricsReport(endpointsFromEnvironment())}\n`);
      return;
    case 'thresholds': {
      const target = Number((args.find((a) => a.startsWith('--target=')) ?? '--target=0.95').split('=')[1]);
      process.stdout.write(`${await thresholdsReport(endpointsFromEnvironment(), target)}\n`);
      return;
    }
    case 'rescore': {
      const files = args.filter((a) => !a.startsWith('--'));
      const [golden, predictions] = files;
      if (files.length === 1 && golden) {
        // One file: the new predictions, scored against the golden set loaded into the stack.
        process.stdout.write(`${await rescoreLoadedGoldenSet(endpointsFromEnvironment(), golden)}\n`);
        return;
      }
      if (!golden || !predictions) throw new Error('usage: rescore [<golden set file>] <new model predictions file>');
      process.stdout.write(`${rescoreReport(golden, predictions)}\n`);
      return;
    }
    case 'golden': {
      const [verb, file] = args;
      if (verb !== 'load' || !file) throw new Error('usage: golden load <file>');
      process.stdout.write(`${await loadGoldenSet(endpointsFromEnvironment(), file)}\n`);
      return;
    }
    case 'post-action-report': {
      const days = Number((args.find((a) => a.startsWith('--days=')) ?? '--days=1').split('=')[1]);
      process.stdout.write(`${await postActionReport(endpointsFromEnvironment(), days)}\n`);
      return;
    }
    default:
      process.stderr.write('usage: arbiter-learning-loop report | thresholds [--target=0.95] | rescore [<golden>] <predictions> | golden load <file> | post-action-report [--days=1]\n');
      process.exitCode = 2;
  }
};

main().catch((error: unknown) => {
  process.stderr.write(`[arbiter-learning-loop] ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
