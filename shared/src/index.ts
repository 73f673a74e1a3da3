export * from './domain.js';
export * from './protocol.js';
