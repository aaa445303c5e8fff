import request from 'supertest';
import { Namespace } from '../../src/realtime/events.js';
import type { TestApp } from './create-test-app.js';
import { connect, type ClientSocket } from './sockets.js';
import { tokenFor, uniqueId } from './tokens.js';

export interface TestClient {
  id: string;
  name: string;
  role: string;
  token: string;
}

/** A user the server has seen (created through GET /api/users/me), with a token. */
export async function makeUser(
  t: TestApp,
  role = 'CLIENT',
  name?: string,
  email?: string,
): Promise<TestClient> {
  const id = uniqueId(role.toLowerCase());
  const user = { id, role, name: name ?? id, email };
  const token = tokenFor(user);
  await request(t.url).get('/api/users/me').set('Authorization', `Bearer ${token}`).expect(200);
  return { ...user, name: user.name, token };
}

export function chatSocket(t: TestApp, user: TestClient): Promise<ClientSocket> {
  return connect(t.url, Namespace.Chat, { token: user.token });
}
