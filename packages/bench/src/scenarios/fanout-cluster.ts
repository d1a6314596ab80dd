/**
 * Fanout on one gateway against three (a NATS cluster of three nodes, a gateway on each, the clients dealt over
 * them): the fanout scenario's rooms and senders, offered the same rates in turn (one gateway, three, one,
 * three, …). Not a ramp: what it compares is what each delivery costs the gateways, summed, and what each
 * message costs NATS, summed over its nodes, at equal offered load.
 */
import { now } from '../clock.js';
import { beyondIdle, type Context, cpuShares, idleCpu, type StepResult } from './context.js';
import { prepare } from './fanout.js';

export interface ClusterStep extends StepResult {
  /** Gateways' CPU (summed) per delivered message, µs. */
  gatewayUsPerDelivery: number;
  /** NATS CPU (summed over the nodes) per message sent, µs. */
  natsUsPerMessage: number;
  /** Server CPU of every part per message sent, µs. */
  serverUsPerMessage: number;
  /** The same three beyond what the parts use idle (see `idleCpuMsPerSec`) over the step's wall time. */
  gatewayNetUsPerDelivery: number;
  natsNetUsPerMessage: number;
  serverNetUsPerMessage: number;
  /** The step and its drain, ms. */
  wallMs: number;
}

export interface FanoutClusterResult {
  connections: number;
  rooms: number;
  membersPerRoom: number;
  senders: number;
  gateways: number;
  natsNodes: number;
  /** CPU ms a second each part used with every client connected and nothing sent. */
  idleCpuMsPerSec: Record<string, number>;
  steps: ClusterStep[];
}

export async function fanoutCluster(contexts: Context[]): Promise<FanoutClusterResult[]> {
  const prepared = [];
  for (const ctx of contexts) prepared.push(await prepare(ctx));
  const steps: ClusterStep[][] = prepared.map(() => []);
  const log = contexts[0]!.log;
  const idle: Record<string, number>[] = [];
  for (const p of prepared) {
    idle.push(await idleCpu(p.ctx, p.ctx.options.stepMs));
    log(`  ${p.name} idle: ${JSON.stringify(idle.at(-1))} CPU ms/s`);
  }
  let stepId = 1;
  for (const offered of contexts[0]!.options.fanoutCluster.rates) {
    for (const [i, p] of prepared.entries()) {
      const began = now();
      const result = await p.run(offered, stepId++);
      const step = withPerPart(result, idle[i]!, now() - began);
      steps[i]!.push(step);
      log(
        `  ${p.name} ${step.held ? 'held' : 'FAIL'} ${offered} sends/s → ${step.deliveredPerSec} delivered/s, ` +
          `p50 ${step.latency.p50} p99 ${step.latency.p99} ms; gateways ${step.gatewayUsPerDelivery} µs/delivery, ` +
          `NATS ${step.natsUsPerMessage} µs/msg, all ${step.serverUsPerMessage} µs/msg (${cpuShares(step.cpuMs)}); ` +
          `beyond idle: gateways ${step.gatewayNetUsPerDelivery} µs/delivery, NATS ${step.natsNetUsPerMessage} µs/msg` +
          `${step.held ? '' : ` (${step.reason})`}`,
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
  }
  const results: FanoutClusterResult[] = [];
  for (const [i, p] of prepared.entries()) {
    await p.ctx.pool.closeClients();
    results.push({
      ...p.shape,
      gateways: p.ctx.target.socketPids.length,
      natsNodes: p.ctx.target.natsMonitorUrls.length,
      idleCpuMsPerSec: idle[i]!,
      steps: steps[i]!,
    });
  }
  return results;
}

function withPerPart(step: StepResult, idle: Record<string, number>, wallMs: number): ClusterStep {
  const per = (ms: number, n: number) => (n > 0 ? Math.round((ms * 1000 * 100) / n) / 100 : 0);
  const net = (part: string) => beyondIdle(step.cpuMs[part] ?? 0, idle[part] ?? 0, wallMs);
  const sum = (f: (part: string) => number) => Object.keys(step.cpuMs).reduce((a, part) => a + f(part), 0);
  return {
    ...step,
    gatewayUsPerDelivery: per(step.cpuMs.gateway ?? 0, step.delivered),
    natsUsPerMessage: per(step.cpuMs.nats ?? 0, step.sent),
    serverUsPerMessage: per(
      sum((part) => step.cpuMs[part] ?? 0),
      step.sent,
    ),
    gatewayNetUsPerDelivery: per(net('gateway'), step.delivered),
    natsNetUsPerMessage: per(net('nats'), step.sent),
    serverNetUsPerMessage: per(sum(net), step.sent),
    wallMs: Math.round(wallMs),
  };
}
