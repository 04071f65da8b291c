export * from './http-problem.js';
export * from './problem-json.js';
