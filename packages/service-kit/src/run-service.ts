/** The entry point of every service: configuration from the environment, graceful shutdown on signals. */
import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { ConfigError } from './config.js';

export async function runService<C extends { HOST: string; PORT: number }>(
  name: string,
  configFromEnv: () => C,
  buildApp: (config: C) => Promise<FastifyInstance>,
): Promise<void> {
  let config: C | undefined;
  try {
    config = configFromEnv();
    const app = await buildApp(config);
    const shutdown = closeWithGrace({ delay: 10_000 }, async ({ err }) => {
      if (err) app.log.error({ err }, 'shutting down after an error');
      await app.close();
    });
    // Started by a launcher with an IPC channel (`npm start`): if the launcher goes away without stopping us
    // (killed outright), stop too rather than run on unseen.
    process.once('disconnect', () => shutdown.close());
    await app.listen({ host: config.HOST, port: config.PORT });
  } catch (err) {
    console.error(startFailure(name, config, err));
    process.exit(1);
  }
}

/** One line a person can act on for the failures they can fix; the whole error otherwise. */
function startFailure(name: string, config: { HOST: string; PORT: number } | undefined, err: unknown): unknown {
  if (err instanceof ConfigError) return `${name}: ${err.message}`;
  const code = (err as NodeJS.ErrnoException).code;
  if (config && code === 'EADDRINUSE')
    return `${name}: port ${config.PORT} on ${config.HOST} is already in use by another program; set PORT to a free port`;
  if (config && code === 'EACCES')
    return `${name}: no permission to listen on port ${config.PORT}; set PORT to a port above 1023`;
  return err;
}
