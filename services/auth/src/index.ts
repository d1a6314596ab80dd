export { buildApp } from './app.js';
export { type AuthConfig, authConfigFromEnv } from './config.js';
export { createSuperuser, passwordProblem, usernameProblem } from './users/superuser.js';
