/** Entry point: configuration from the environment, graceful shutdown on SIGTERM/SIGINT. */
import closeWithGrace from 'close-with-grace';
import { ConfigError } from '@chat/service-kit';
import { buildApp } from './app.js';
import { roomsConfigFromEnv } from './config.js';

try {
  const config = roomsConfigFromEnv();
  const app = await buildApp(config);
  closeWithGrace({ delay: 10_000 }, async ({ err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    await app.close();
  });
  await app.listen({ host: config.HOST, port: config.PORT });
} catch (err) {
  console.error(err instanceof ConfigError ? `rooms: ${err.message}` : err);
  process.exit(1);
}
