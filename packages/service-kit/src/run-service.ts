/** The entry point of every service: configuration from the environment, graceful shutdown on signals. */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from './config.js';

export async function runService<C extends { HOST: string; PORT: number }>(
  name: string,
  configFromEnv: () => C,
  buildApp: (config: C) => Promise<FastifyInstance>,
): Promise<void> {
  try {
    const config = configFromEnv();
    const app = await buildApp(config);
    closeWithGrace({ delay: 10_000 }, async ({ err }) => {
      if (err) app.log.error({ err }, 'shutting down after an error');
      await app.close();
    });
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    console.error(err instanceof ConfigError ? `${name}: ${err.message}` : err);
    process.exit(1);
  }
}
