export * from './route-case';
export * from './routing-cases.firestore';
export * from './app';
export * from './config';
