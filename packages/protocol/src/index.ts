export * from './errors.js';
export * from './frames.js';
export * from './limits.js';
export * from './models.js';
export * from './nats-payloads.js';
export * from './rest.js';
export * from './subjects.js';
export * from './validate.js';
