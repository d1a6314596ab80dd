/** The tests' nats-server is the stack's (packages/stack): one way to run it, on a free port of 127.0.0.1. */
export { type NatsServer as NatsServerHandle, type NatsServerOptions, startNatsServer } from '@chat/stack';
