#!/usr/bin/env node
/**
 * What carrying a request id costs a NATS request, measured in isolation: CPU time per request in the asking
 * process and in the answering one, for a send-sized request with no id, with the id in a `Chat-Request-Id`
 * header, and with the id inside the JSON payload. Both sides do what the gateway and the rooms service do
 * (a reply inbox per connection and a fresh header object per request; the body parsed, the header read),
 * minus everything else, so the difference between modes is the id's cost alone.
 *
 *   npm run build && taskset -c 1 node packages/nats/scripts/request-id-cost.mjs [requests] [repetitions]
 *
 * CPU time, not wall time: on a shared machine the clock counts the neighbours, the process's own CPU time
 * much less so. Medians over the repetitions; the modes take turns within each repetition.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInbox, headers } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';

const SUBJECT = 'bench.send';
const HEADER = 'Chat-Request-Id';
const MODES = ['none', 'header', 'payload'];
const IN_FLIGHT = 200;

if (process.argv[2] === '--answerer') await answer(process.argv[3]);
else await ask(Number(process.argv[2] ?? 100_000), Number(process.argv[3] ?? 5));

/** The rooms side: parse every request, read its id where the mode puts it, answer with a stored message. */
async function answer(url) {
  const nc = await connect({ servers: url });
  const decoder = new TextDecoder();
  const reply = new TextEncoder().encode(
    JSON.stringify({
      id: '0b8f4c1e-6d3a-4f8e-9b1a-2c5d7e9f1a3b',
      seq: 42,
      author: { id: '5f0c7a2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b', username: 'alice' },
      text: 'hello there, how is everyone doing today?',
      createdAt: '2026-12-02T18:00:00.000Z',
    }),
  );
  let mode = 'none';
  let seen = 0;
  nc.subscribe(SUBJECT, {
    queue: 'q',
    callback: (_err, msg) => {
      const payload = JSON.parse(decoder.decode(msg.data));
      const id = mode === 'header' ? msg.headers?.get(HEADER) : mode === 'payload' ? payload.requestId : undefined;
      if (id !== undefined) seen += id.length > 0 ? 1 : 0;
      msg.respond(reply);
    },
  });
  await nc.flush();
  process.on('message', (m) => {
    if (m.mode) mode = m.mode;
    process.send({ cpu: process.cpuUsage(), seen });
  });
  process.send({ ready: true });
}

/** The gateway side: requests kept IN_FLIGHT at a time, each answered on the connection's one inbox. */
async function ask(requests, repetitions) {
  const { startNatsServer } = await import('@chat/stack');
  const server = await startNatsServer();
  const answerer = fork(fileURLToPath(import.meta.url), ['--answerer', server.url]);
  const fromAnswerer = () => new Promise((resolve) => answerer.once('message', resolve));
  await fromAnswerer();
  const nc = await connect({ servers: server.url });
  const encoder = new TextEncoder();
  const inbox = `${createInbox()}.`;
  let onAnswer = () => {};
  nc.subscribe(`${inbox}*`, { callback: () => onAnswer() });
  await nc.flush();
  // A per-process prefix and a counter, as the gateway makes its ids.
  const prefix = Math.floor(Math.random() * 36 ** 8).toString(36);
  let counter = 0;

  function run(mode, count) {
    return new Promise((resolve) => {
      let sent = 0;
      let answered = 0;
      const sendOne = () => {
        const requestId = `${prefix}-${(counter++).toString(36)}`;
        const body = {
          room: 'lobby',
          epoch: 7,
          author: { id: '5f0c7a2e-1b3d-4e6f-8a9b-0c1d2e3f4a5b', username: 'alice' },
          text: 'hello there, how is everyone doing today?',
          id: '0b8f4c1e-6d3a-4f8e-9b1a-2c5d7e9f1a3b',
          attempt: 1,
          ...(mode === 'payload' ? { requestId } : {}),
        };
        const options = { reply: inbox + sent.toString(36) };
        if (mode === 'header') {
          const h = headers();
          h.set(HEADER, requestId);
          options.headers = h;
        }
        nc.publish(SUBJECT, encoder.encode(JSON.stringify(body)), options);
        sent++;
      };
      onAnswer = () => {
        if (++answered === count) resolve();
        else if (sent < count) sendOne();
      };
      for (let i = 0; i < Math.min(IN_FLIGHT, count); i++) sendOne();
    });
  }

  async function measure(mode, count) {
    answerer.send({ mode });
    const before = await fromAnswerer();
    const cpu = process.cpuUsage();
    const started = process.hrtime.bigint();
    await run(mode, count);
    const wallNs = Number(process.hrtime.bigint() - started);
    const ownCpu = process.cpuUsage(cpu);
    answerer.send({});
    const after = await fromAnswerer();
    const micros = (c) => c.user + c.system;
    return {
      asker: micros(ownCpu) / count,
      answerer: (micros(after.cpu) - micros(before.cpu)) / count,
      wall: wallNs / 1000 / count,
    };
  }

  for (const mode of MODES) await measure(mode, Math.min(20_000, requests)); // warm-up: JIT, buffers
  const results = Object.fromEntries(MODES.map((m) => [m, []]));
  for (let r = 0; r < repetitions; r++) {
    for (const mode of MODES) results[mode].push(await measure(mode, requests));
  }
  const median = (xs) => {
    const s = [...xs].sort((a, b) => a - b);
    return s[Math.floor(s.length / 2)];
  };
  console.log(`${requests} requests × ${repetitions} repetitions, ${IN_FLIGHT} in flight; µs per request (median)`);
  console.log('mode      asker CPU  answerer CPU  wall   | asker Δ  answerer Δ (vs none)');
  const base = {
    asker: median(results.none.map((x) => x.asker)),
    answerer: median(results.none.map((x) => x.answerer)),
  };
  for (const mode of MODES) {
    const asker = median(results[mode].map((x) => x.asker));
    const answererCpu = median(results[mode].map((x) => x.answerer));
    const wall = median(results[mode].map((x) => x.wall));
    console.log(
      `${mode.padEnd(8)}  ${asker.toFixed(2).padStart(9)}  ${answererCpu.toFixed(2).padStart(12)}  ${wall.toFixed(2).padStart(5)}  | ` +
        `${(asker - base.asker).toFixed(2).padStart(7)}  ${(answererCpu - base.answerer).toFixed(2).padStart(10)}`,
    );
  }
  console.log('spread per mode (asker, answerer):');
  for (const mode of MODES) {
    console.log(`  ${mode}: ${results[mode].map((x) => `${x.asker.toFixed(2)}/${x.answerer.toFixed(2)}`).join('  ')}`);
  }
  answerer.kill();
  await nc.close();
  await server.stop();
}
