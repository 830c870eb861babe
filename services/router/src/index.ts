export * from './route-case';
export * from './firestore.routing-cases';
export * from './app';
export * from './config';
