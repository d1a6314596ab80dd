/** JSON over real HTTP for tests: a bearer token or extra headers, the status, headers and parsed body back. */
export interface CallOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export function restClient(base: string) {
  async function call(method: string, path: string, options: CallOptions = {}) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
    });
    const text = await res.text();
    // Tests read whichever fields the route answers with.
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as any };
  }

  /** Logs in and returns the token; a failed login fails the test with the server's answer. */
  async function login(username: string, password: string): Promise<string> {
    const res = await call('POST', '/api/auth/login', { body: { username, password } });
    if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.token as string;
  }

  /** GETs `path` until `done` holds for the status (a reconnect takes a moment) or `timeoutMs` passes; the last answer. */
  async function getUntil(path: string, done: (status: number) => boolean, timeoutMs = 10_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const res = await call('GET', path);
      if (done(res.status) || Date.now() > deadline) return res;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  return { call, login, getUntil };
}
