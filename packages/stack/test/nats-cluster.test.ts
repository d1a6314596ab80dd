/** The stack's NATS cluster: messages cross between nodes, and a client whose node dies carries on on another. */
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type NatsCluster, startNatsCluster } from '../src/index.js';

let cluster: NatsCluster;
beforeAll(async () => {
  cluster = await startNatsCluster({ nodes: 3 });
});
afterAll(() => cluster?.stop());

const received = (sub: AsyncIterable<{ string(): string }>) =>
  (async () => {
    for await (const msg of sub) return msg.string();
    return undefined;
  })();

describe('a three-node NATS cluster', () => {
  it('routes a message published on one node to a subscriber on another', async () => {
    const a = await connect({ servers: cluster.nodes[0]!.url });
    const c = await connect({ servers: cluster.nodes[2]!.url });
    const sub = c.subscribe('greeting', { max: 1 });
    await c.flush();
    // Interest crosses the routes asynchronously: publish until it arrives.
    const got = received(sub);
    const publishing = setInterval(() => a.publish('greeting', 'hello from node 1'), 20);
    expect(await got).toBe('hello from node 1');
    clearInterval(publishing);
    await Promise.all([a.close(), c.close()]);
  });

  it("keeps a client given one node's URL going on another node when that one is killed", async () => {
    const client = await connect({ servers: cluster.nodes[1]!.url, reconnectTimeWait: 100 });
    const other = await connect({ servers: cluster.nodes[0]!.url });
    expect(client.getServer()).toBe(cluster.nodes[1]!.url.replace('nats://', ''));
    await cluster.nodes[1]!.restart(2_000);
    const sub = client.subscribe('after-the-kill', { max: 1 });
    await client.flush();
    const got = received(sub);
    const publishing = setInterval(() => other.publish('after-the-kill', 'still here'), 20);
    expect(await got).toBe('still here');
    clearInterval(publishing);
    expect(client.getServer()).not.toBe(cluster.nodes[1]!.url.replace('nats://', ''));
    await Promise.all([client.close(), other.close()]);
  });
});
