export * from './database.js';
export * from './free-port.js';
export * from './keys.js';
export * from './nats-server.js';
export * from './postgres-server.js';
export * from './processes.js';
export * from './ws-client.js';
export * from './forge-tokens.js';
