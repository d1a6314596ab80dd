/**
 * Which local sockets are in which room, and the ONE NATS subscription per room that feeds them (with a second,
 * on typing.<id>, for typing notices).
 *
 * A room's subscription is shared by all local members, reference-counted, and dropped with its last member.
 * Each event arrives as the exact bytes of the server frame (the rooms service serializes it once); the hub
 * hands those same bytes to every member, so fanout does no JSON work and no per-socket NATS work.
 *
 * Joining has a window: the rooms service reads the latest messages, and a message committed just after
 * that read must still reach the joiner. So the subscription is made (and confirmed by the server) BEFORE
 * the join is authorized, events arriving meanwhile are held for the pending joiner, and on success the
 * held ones newer than the history it got are delivered. A refused joiner never sees a held event.
 *
 * After a gap in what the gateway hears (NATS disconnected), who may stay is checked again before anyone is
 * served more: `pause` holds every room's events (in order, per room) until `resume`, when those who still
 * may stay get them.
 *
 * A message may be announced twice (the rooms service's outbox, docs/reliability.md), the second time perhaps
 * after later ones: each gets a message once. The seq comes in the event's `Chat-Seq` header; a seq handed on
 * already is dropped, and a late one goes only to members whose join history did not hold it.
 */
import { RoomEventHeaders, roomSubject, TypingHeaders, typingSubject } from '@chat/protocol';
import type { Msg, NatsConnection, Subscription } from '@chat/nats';
import { DeliveredSeqs } from './delivered-seqs.js';

export interface Member {
  /** Writes a text frame that is already serialized. */
  deliver(frame: Uint8Array): void;
  /** Whose socket it is: a user's own typing is not sent back to them. */
  readonly user: { readonly id: string };
}

interface RoomChannel<M extends Member> {
  readonly id: string;
  readonly subscription: Subscription;
  /** typing.<id>: other gateways' (and this one's) typing notices, passed on live or not at all. */
  readonly typing: Subscription;
  readonly ready: Promise<void>;
  readonly members: Set<M>;
  /** The last seq of each member's join history: it has every message up to that one. */
  readonly joinedAt: Map<M, number>;
  /** The highest of joinedAt (never lowered): a message above it goes to every member without a look. */
  maxJoinedAt: number;
  readonly delivered: DeliveredSeqs;
  readonly pending: Map<M, HeldEvent[]>;
  /** Events that arrived while the hub was paused, in order. */
  paused: Msg[] | undefined;
}

/** An event held for a joiner, with its seq (0 for all but messages) read once however many joiners hold it. */
type HeldEvent = { frame: Uint8Array; seq: number };

export class Hub<M extends Member = Member> {
  private readonly channels = new Map<string, RoomChannel<M>>();
  private isPaused = false;

  constructor(private readonly nc: NatsConnection) {}

  /** Holds every room's events until resume(). */
  pause(): void {
    this.isPaused = true;
  }

  /** Delivers what was held to the members there are now, and goes live again. */
  resume(): void {
    this.isPaused = false;
    for (const channel of this.channels.values()) {
      const held = channel.paused;
      if (!held) continue;
      channel.paused = undefined;
      for (const msg of held) fanout(channel, msg);
    }
  }

  /** Every room that has local members or joins under way. */
  rooms(): string[] {
    return [...this.channels.keys()];
  }

  /** Starts a join: the room's events are held for `member` until confirm or cancel. */
  async reserve(roomId: string, member: M): Promise<void> {
    let channel = this.channels.get(roomId);
    if (!channel) {
      channel = this.open(roomId);
      this.channels.set(roomId, channel);
    }
    channel.pending.set(member, []);
    await channel.ready;
  }

  /** Completes a join: from now on `member` gets every event; held events newer than `lastSeq` go first. */
  confirm(roomId: string, member: M, lastSeq: number): void {
    const channel = this.channels.get(roomId);
    const held = channel?.pending.get(member);
    if (!channel || !held) return;
    channel.pending.delete(member);
    for (const { frame, seq } of held) {
      if (seq > lastSeq) member.deliver(frame);
    }
    channel.members.add(member);
    channel.joinedAt.set(member, lastSeq);
    if (lastSeq > channel.maxJoinedAt) channel.maxJoinedAt = lastSeq;
  }

  /** Abandons a join that was refused or failed. */
  cancel(roomId: string, member: M): void {
    const channel = this.channels.get(roomId);
    if (!channel) return;
    channel.pending.delete(member);
    this.releaseIfUnused(channel);
  }

  remove(roomId: string, member: M): void {
    const channel = this.channels.get(roomId);
    if (!channel) return;
    channel.members.delete(member);
    channel.joinedAt.delete(member);
    this.releaseIfUnused(channel);
  }

  /** The local members of a room (a copy: callers may remove members while iterating). */
  membersOf(roomId: string): M[] {
    return [...(this.channels.get(roomId)?.members ?? [])];
  }

  stats(): { rooms: number; members: number } {
    let members = 0;
    for (const channel of this.channels.values()) members += channel.members.size;
    return { rooms: this.channels.size, members };
  }

  private open(roomId: string): RoomChannel<M> {
    const members = new Set<M>();
    const pending = new Map<M, HeldEvent[]>();
    const channel: RoomChannel<M> = {
      id: roomId,
      members,
      joinedAt: new Map(),
      maxJoinedAt: 0,
      delivered: new DeliveredSeqs(),
      pending,
      paused: undefined,
      subscription: this.nc.subscribe(roomSubject(roomId), {
        callback: (err, msg) => {
          if (err) return;
          if (!this.isPaused) fanout(channel, msg);
          else if (channel.paused) channel.paused.push(msg);
          else channel.paused = [msg];
        },
      }),
      typing: this.nc.subscribe(typingSubject(roomId), {
        callback: (err, msg) => {
          // Typing is of the moment: while the hub holds events (after a gap) it is dropped, not held.
          if (err || this.isPaused) return;
          fanoutTyping(members, msg);
        },
      }),
      // flush() returns once the server has processed the SUB: only then is no event missed.
      ready: this.nc.flush(),
    };
    return channel;
  }

  private releaseIfUnused(channel: RoomChannel<M>): void {
    if (channel.members.size > 0 || channel.pending.size > 0) return;
    this.channels.delete(channel.id);
    channel.subscription.unsubscribe();
    channel.typing.unsubscribe();
  }
}

function fanout(channel: RoomChannel<Member>, msg: Msg): void {
  const seq = seqOf(msg);
  // Announced again: every member got it already, or had it in its join history.
  if (seq !== 0 && !channel.delivered.add(seq)) return;
  const { members, pending } = channel;
  // One Buffer view of the event for all members: ws would otherwise make one per send.
  const data = msg.data;
  const frame = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  if (seq === 0 || seq > channel.maxJoinedAt) {
    for (const member of members) member.deliver(frame);
  } else {
    // A message later than its successors (announced again after a rooms instance died): only those whose
    // join history did not hold it get it.
    for (const member of members) if ((channel.joinedAt.get(member) ?? 0) < seq) member.deliver(frame);
  }
  if (pending.size > 0) {
    const event = { frame, seq };
    for (const held of pending.values()) held.push(event);
  }
}

/** A typing notice goes to every member but the typist's own sockets; joiners not yet confirmed miss it. */
function fanoutTyping(members: Set<Member>, msg: Msg): void {
  const typist = msg.headers?.get(TypingHeaders.user);
  const data = msg.data;
  const frame = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  for (const member of members) if (member.user.id !== typist) member.deliver(frame);
}

/** The seq of a message event, from its header (no parse of the body); 0 for every other event. */
function seqOf(msg: Msg): number {
  const seq = msg.headers?.get(RoomEventHeaders.seq);
  return seq ? Number(seq) : 0;
}
