/**
 * Tells the rooms service, every PRESENCE_HEARTBEAT_MS, that this gateway is alive: presence (rooms' table of
 * who is in which room, per gateway) takes out the users of a gateway silent longer than the rooms service's
 * timeout, which is how a gateway that dies without a word (SIGKILL, a lost machine) stops counting its
 * sockets as present. The first beat goes at once, before clients are likely to have joined anything.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { RoomsClient } from './rooms-client.js';

export function beatPresence(roomsClient: RoomsClient, intervalMs: number, log: FastifyBaseLogger): { stop(): void } {
  let heard = false;
  const beat = async () => {
    try {
      const known = await roomsClient.heartbeat();
      // Only after a silence longer than the rooms service's timeout (a partition): the others saw these users
      // leave, and see them again as they next join.
      if (heard && !known) log.warn({ gateway: roomsClient.gateway }, 'presence had taken this gateway for dead');
      heard = true;
    } catch (err) {
      log.debug({ err }, 'presence heartbeat not answered');
    }
  };
  void beat();
  const timer = setInterval(beat, intervalMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}
