/** Entry point: configuration from the environment, graceful shutdown on SIGTERM/SIGINT. */
import { runService } from '@chat/service-kit';
import { buildApp } from './app.js';
import { authConfigFromEnv } from './config.js';

await runService('auth', () => authConfigFromEnv(), buildApp);
