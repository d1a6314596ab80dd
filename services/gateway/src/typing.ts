/**
 * Typing notices: forwarded, never stored. A user's typing in a room goes to the gateways on typing.<room>
 * (not room.<id>, which only the rooms service may publish), with the typist in a header so that each gateway
 * hands it to every local member but the typist's own sockets without parsing it.
 *
 * At most one start per user per room per TYPING_THROTTLE_MS leaves this gateway, however many of the user's
 * sockets are typing here (each gateway throttles its own: a user typing on two gateways at once may be
 * forwarded twice as often, which clients show as the same single "typing"). A stop goes out only after a
 * start that went out, so stops cannot be spammed either. A send ends the state here, so the next start after
 * a message is forwarded at once (the clients end it on the message itself).
 */
import {
  TYPING_EXPIRY_MS,
  TYPING_THROTTLE_MS,
  TypingHeaders,
  typingEventJson,
  typingSubject,
  type UserRef,
} from '@chat/protocol';
import { headers, type NatsConnection } from '@chat/nats';
import { LRUCache } from 'lru-cache';

/** Users typing at once on one gateway; beyond it the oldest are forgotten (a start goes out again sooner). */
const MAX_TYPISTS = 100_000;

interface TypingState {
  startedAt: number;
  typing: boolean;
}

export class TypingRelay {
  private readonly states = new LRUCache<string, TypingState>({ max: MAX_TYPISTS, ttl: TYPING_EXPIRY_MS });

  constructor(private readonly nc: NatsConnection) {}

  /** The user is typing in the room, or (`stop`) no longer is; answers whether it was forwarded. */
  typing(room: string, user: UserRef, stop: boolean, now = Date.now()): boolean {
    const key = stateKey(room, user.id);
    const state = this.states.get(key);
    if (stop) {
      if (!state?.typing) return false;
      state.typing = false;
    } else {
      if (state && now - state.startedAt < TYPING_THROTTLE_MS) return false;
      this.states.set(key, { startedAt: now, typing: true });
    }
    const h = headers();
    h.set(TypingHeaders.user, user.id);
    this.nc.publish(typingSubject(room), typingEventJson(room, JSON.stringify(user), stop), { headers: h });
    return true;
  }

  /** The user's message in the room ended their typing there. */
  sent(room: string, userId: string): void {
    this.states.delete(stateKey(room, userId));
  }
}

function stateKey(room: string, userId: string): string {
  return `${room} ${userId}`;
}
