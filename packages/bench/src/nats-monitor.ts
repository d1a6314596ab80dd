/** Subscriptions as the NATS nodes count them, read from their monitoring endpoints (/connz, /subsz). */

export interface NatsSubscriptions {
  /** Subscriptions held by the clients of each name (gateway, rooms, auth), summed over the nodes. */
  byClient: Record<string, number>;
  /**
   * The size of each node's subscription list: its own clients' subscriptions plus the interest its routes
   * told it of (each node keeps the whole cluster's), so what one node's memory and matching carry.
   */
  perNode: number[];
}

interface Connz {
  connections: { name?: string; subscriptions?: number }[];
}

export async function natsSubscriptions(monitorUrls: string[]): Promise<NatsSubscriptions> {
  const byClient: Record<string, number> = {};
  const perNode: number[] = [];
  for (const base of monitorUrls) {
    const connz = await json<Connz>(`${base}/connz?limit=10000`);
    for (const c of connz.connections) {
      const name = c.name || 'unnamed';
      byClient[name] = (byClient[name] ?? 0) + (c.subscriptions ?? 0);
    }
    perNode.push((await json<{ num_subscriptions: number }>(`${base}/subsz`)).num_subscriptions);
  }
  return { byClient, perNode };
}

async function json<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
  if (!res.ok) throw new Error(`${url}: ${res.status}`);
  return (await res.json()) as T;
}
