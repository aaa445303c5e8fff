import request from 'supertest';
import type { DisputeView } from '../../src/modules/disputes/dispute.types.js';
import type { OrderView } from '../../src/modules/orders/order.types.js';
import { Namespace } from '../../src/realtime/events.js';
import type { TestApp } from './create-test-app.js';
import type { TestClient } from './factories.js';
import { connect, type ClientSocket } from './sockets.js';

export const auth = (user: TestClient) => ({ Authorization: `Bearer ${user.token}` });

/** The REST answer of `method path` as `user`: status and body, whatever they are. */
export async function call<T = unknown>(
  t: TestApp,
  user: TestClient,
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
): Promise<{ status: number; body: T }> {
  const req = request(t.url)[method](path).set(auth(user));
  const res = await (body ? req.send(body) : req);
  return { status: res.status, body: res.body as T };
}

/** The body of a REST call that must succeed, or a thrown error naming the failure. */
export async function must<T>(
  t: TestApp,
  user: TestClient,
  method: 'get' | 'post' | 'patch' | 'delete',
  path: string,
  body?: object,
): Promise<T> {
  const res = await call<T>(t, user, method, path, body);
  if (res.status >= 300) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  return res.body;
}

export function makeOrder(
  t: TestApp,
  client: TestClient,
  performer: TestClient,
  extra: object = {},
): Promise<OrderView> {
  return must<OrderView>(t, client, 'post', '/api/orders', {
    performerId: performer.id,
    title: 'Logo design',
    ...extra,
  });
}

export function moveOrder(
  t: TestApp,
  user: TestClient,
  orderId: string,
  status: string,
): Promise<OrderView> {
  return must<OrderView>(t, user, 'patch', `/api/orders/${orderId}/status`, { status });
}

/** How an order reaches each status from NEW, and who makes each move. */
const PATH: Record<string, { status: string; by: 'client' | 'performer' }[]> = {
  NEW: [],
  IN_PROGRESS: [{ status: 'IN_PROGRESS', by: 'performer' }],
  DELIVERED: [
    { status: 'IN_PROGRESS', by: 'performer' },
    { status: 'DELIVERED', by: 'performer' },
  ],
  COMPLETED: [
    { status: 'IN_PROGRESS', by: 'performer' },
    { status: 'DELIVERED', by: 'performer' },
    { status: 'COMPLETED', by: 'client' },
  ],
  CANCELLED: [{ status: 'CANCELLED', by: 'client' }],
};

/** A fresh order between `client` and `performer`, moved to `status`. */
export async function orderIn(
  t: TestApp,
  status: string,
  client: TestClient,
  performer: TestClient,
): Promise<OrderView> {
  let order = await makeOrder(t, client, performer);
  for (const step of PATH[status]) {
    order = await moveOrder(t, step.by === 'client' ? client : performer, order.id, step.status);
  }
  return order;
}

export function openDispute(
  t: TestApp,
  user: TestClient,
  orderId: string,
  reason = 'Not what was agreed',
): Promise<DisputeView> {
  return must<DisputeView>(t, user, 'post', '/api/disputes', { orderId, reason });
}

/** A fresh dispute (opened by `client` on an IN_PROGRESS order), taken by `moderator` if given. */
export async function disputeOn(
  t: TestApp,
  client: TestClient,
  performer: TestClient,
  moderator?: TestClient,
): Promise<DisputeView> {
  const order = await orderIn(t, 'IN_PROGRESS', client, performer);
  const dispute = await openDispute(t, client, order.id);
  if (!moderator) return dispute;
  return must<DisputeView>(t, moderator, 'post', `/api/disputes/${dispute.id}/assign`, {});
}

export const ordersSocket = (t: TestApp, user: TestClient): Promise<ClientSocket> =>
  connect(t.url, Namespace.Orders, { token: user.token });

export const disputesSocket = (t: TestApp, user: TestClient): Promise<ClientSocket> =>
  connect(t.url, Namespace.Disputes, { token: user.token });
