export * from './policy';
export * from './events';
export * from './result';
