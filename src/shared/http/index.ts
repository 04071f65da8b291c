export * from './app-env.js';
export * from './auth.js';
export * from './create-http-app.js';
export * from './create-router.js';
export * from './problem-responses.js';
