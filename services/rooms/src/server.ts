/** Entry point: configuration from the environment, graceful shutdown on SIGTERM/SIGINT. */
import { runService } from '@chat/service-kit';
import { buildApp } from './app.js';
import { roomsConfigFromEnv } from './config.js';

await runService('rooms', () => roomsConfigFromEnv(), buildApp);
