export * from './assess-prediction';
export * from './case-openings.firestore';
export * from './app';
export * from './config';
