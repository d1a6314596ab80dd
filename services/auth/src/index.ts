export { buildApp } from './app.js';
export { type AuthConfig, authConfigFromEnv } from './config.js';
export { createSuperuser } from './cli/create-superuser.js';
