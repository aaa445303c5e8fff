import { io, Manager, type Socket } from 'socket.io-client';

export type ClientSocket = Socket;

export interface ConnectOptions {
  token?: string;
  /** Where the token travels: `auth.token` (default), the Authorization header, or the query. */
  via?: 'auth' | 'header' | 'query';
  auth?: Record<string, unknown>;
  headers?: Record<string, string>;
}

const sockets = new Set<ClientSocket>();

/** Connects to `namespace`; resolves once connected, rejects with the `connect_error`. */
export function connect(
  baseUrl: string,
  namespace: string,
  options: ConnectOptions = {},
): Promise<ClientSocket> {
  const { token, via = 'auth' } = options;
  const socket = io(`${baseUrl}${namespace}`, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
    auth: { ...(token && via === 'auth' ? { token } : {}), ...options.auth },
    query: token && via === 'query' ? { token } : {},
    extraHeaders: {
      ...(token && via === 'header' ? { authorization: `Bearer ${token}` } : {}),
      ...options.headers,
    },
  });
  return connected(socket);
}

/** Resolves once `socket` is connected; rejects with its `connect_error`. */
function connected(socket: ClientSocket): Promise<ClientSocket> {
  sockets.add(socket);
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

/**
 * One Engine.IO connection carrying several namespaces, as the `io()` calls of a browser tab
 * share one: `open` connects another namespace over it.
 */
export function sharedConnection(
  baseUrl: string,
  headers: Record<string, string> = {},
): {
  open(namespace: string, token: string): Promise<ClientSocket>;
  /** The connection's Engine.IO id, as the server's `engine.clients` knows it, once open. */
  id(): string | undefined;
} {
  const manager = new Manager(baseUrl, {
    transports: ['websocket'],
    reconnection: false,
    timeout: 5000,
    extraHeaders: headers,
  });
  return {
    open: (namespace, token) => connected(manager.socket(namespace, { auth: { token } })),
    id: () => manager.engine?.id,
  };
}

/** The `connect_error` a refused handshake produces. */
export async function connectError(
  baseUrl: string,
  namespace: string,
  options: ConnectOptions = {},
): Promise<Error & { data?: { code?: string } }> {
  try {
    await connect(baseUrl, namespace, options);
  } catch (error) {
    return error as Error & { data?: { code?: string } };
  }
  throw new Error('expected the handshake to be refused');
}

export interface Ack<T = unknown> {
  ok: boolean;
  data?: T;
  error?: { code: string; message: string; details?: unknown };
}

/** Emits `event` with `payload` and resolves with the acknowledgement (rejects after 5 s). */
export function emitAck<T = unknown>(
  socket: ClientSocket,
  event: string,
  ...payload: unknown[]
): Promise<Ack<T>> {
  return emitAckWithin<T>(5000, socket, event, ...payload);
}

export function emitAckWithin<T = unknown>(
  timeoutMs: number,
  socket: ClientSocket,
  event: string,
  ...payload: unknown[]
): Promise<Ack<T>> {
  return socket.timeout(timeoutMs).emitWithAck(event, ...payload) as Promise<Ack<T>>;
}

/** Resolves with the next `event` the socket receives. */
export function nextEvent<T = unknown>(
  socket: ClientSocket,
  event: string,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, onEvent);
      reject(new Error(`no '${event}' within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (data: T): void => {
      clearTimeout(timer);
      resolve(data);
    };
    socket.once(event, onEvent);
  });
}

export function closeAllSockets(): void {
  for (const socket of sockets) socket.close();
  sockets.clear();
}
