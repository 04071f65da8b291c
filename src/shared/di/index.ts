export * from './define-module.js';
export * from './tokens.js';
