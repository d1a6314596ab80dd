export { buildApp } from './app.js';
export { type GatewayConfig, gatewayConfigFromEnv } from './config.js';
