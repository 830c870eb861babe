export {
  loadGoldenSet,
  metricsReport,
  postActionReport,
  rescoreLoadedGoldenSet,
  rescoreReport,
  thresholdsReport,
  type GoldenRecord,
  type LearningLoopEndpoints,
  type ThresholdsOptions,
} from './report.bigquery';
