export * from './assess-prediction';
export * from './firestore.case-openings';
export * from './app';
export * from './config';
