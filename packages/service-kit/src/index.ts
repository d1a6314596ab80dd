export * from './authenticate.js';
export * from './config.js';
export * from './database.js';
export * from './errors.js';
export * from './fastify-options.js';
export * from './keys.js';
export * from './logging.js';
