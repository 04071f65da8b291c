export * from './module-db.js';
export * from './open-module-db.js';
export * from './postgres-db.js';
export * from './sqlite-db.js';
export * from './unique-violation.js';
export * from './new-id.js';
