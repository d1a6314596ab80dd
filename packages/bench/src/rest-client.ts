/** The few REST calls a bench makes through the gateway, as any program would: log in, add users and rooms. */

export async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body: unknown,
  token: string | null,
  expect: number,
): Promise<unknown> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(base + path, { method, headers, body: JSON.stringify(body) });
  const text = await res.text();
  if (res.status !== expect) throw new Error(`${method} ${path}: HTTP ${res.status} ${text.slice(0, 300)}`);
  return text ? (JSON.parse(text) as unknown) : undefined;
}

export async function login(base: string, username: string, password: string): Promise<string> {
  const body = await call(base, 'POST', '/api/auth/login', { username, password }, null, 200);
  return (body as { token: string }).token;
}

/** Creates a user (as the admin whose token is given) and returns the new user's token. */
export async function newUserToken(base: string, adminToken: string, username: string, password: string) {
  await call(base, 'POST', '/api/auth/users', { username, password }, adminToken, 201);
  return login(base, username, password);
}

export async function createRoom(base: string, adminToken: string, title: string): Promise<string> {
  const room = await call(base, 'POST', '/api/rooms', { title }, adminToken, 201);
  return (room as { id: string }).id;
}
