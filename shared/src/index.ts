export * from './domain.js';
export * from './protocol.js';
export * from './serbian.js';
export * from './language-tags.js';
export * from './profiles.js';
