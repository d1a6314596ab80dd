export { buildApp } from './app.js';
export { type RoomsConfig, roomsConfigFromEnv } from './config.js';
export { slugify, slugCandidate } from './rooms/slug.js';
