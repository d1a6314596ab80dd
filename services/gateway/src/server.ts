/** Entry point: configuration from the environment, graceful shutdown on SIGTERM/SIGINT. */
import { runService } from '@chat/service-kit';
import { buildApp } from './app.js';
import { gatewayConfigFromEnv } from './config.js';

await runService('gateway', () => gatewayConfigFromEnv(), buildApp);
