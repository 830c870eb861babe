export * from './documents';
export * from './decision';
export * from './unit-of-work';
export * from './timers';
export * from './retention';
export * from './converters';
