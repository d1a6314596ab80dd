/** The stack's port helpers (packages/stack), for tests that pick ports or wait for one. */
export { freePort, portAccepts } from '@chat/stack';
