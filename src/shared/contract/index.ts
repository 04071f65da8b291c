export * from './define-contract.js';
export * from './port-error.js';
export * from './plain-json.js';
export * from './boundary.js';
export * from './local-port.js';
export * from './port-unavailable.js';
export * from './define-event.js';
