import type { INestApplicationContext, WsMessageHandler } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { firstValueFrom, isObservable } from 'rxjs';
import type { EventEmitter } from 'node:events';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';
import { INTERNAL_ERROR, toErrorBody, type ErrorBody } from '../common/errors/error-body.js';
import { ErrorCode } from '../common/errors/error-code.js';
import type { Answer, Reply } from '../common/ws/ws-answer.js';
import { OK_CODE, type RealtimeMetrics } from '../metrics/realtime.metrics.js';
import { ServerEvent } from './events.js';
import type { SharedHandler } from './shared-handlers.js';

type Middleware = (socket: Socket, next: (error?: Error) => void) => void;
type ConnectionListener = (socket: Socket) => void;
type EngineConnectionListener = (conn: Socket['conn']) => void;
/**
 * Each namespace socket listens for its connection's close until it leaves (the sockets-per-user
 * count), besides the connection's own listeners: a client carrying five namespaces on one
 * connection holds eight, near the ten at which Node warns of a leak.
 */
const CONNECTION_CLOSE_LISTENERS = 32;
/** A handler as the adapter runs it, for any socket (`run`) or for the one it is bound to. */
interface Handler {
  message: string;
  isAckHandledManually?: boolean;
  run: (socket: Socket, data: unknown, reply: Reply) => unknown;
}
/** What the adapter counts events with (RealtimeMetrics). */
type EventMeter = Pick<RealtimeMetrics, 'seriesOf' | 'receive' | 'answer'>;

/**
 * Nest's Socket.IO adapter with our server options and the handshake middlewares (limits and
 * authentication) on every namespace, so no socket reaches a gateway unauthenticated;
 * `onConnection` hears of every socket that gets through, in any namespace, and
 * `onEngineConnection` of every Engine.IO connection (one per client, shared by its namespaces).
 */
export class AuthenticatedIoAdapter extends IoAdapter {
  private readonly guarded = new WeakSet<Namespace>();
  /** The listener each shared handler is heard through, on every socket. */
  private readonly listeners = new WeakMap<SharedHandler, (...args: unknown[]) => void>();
  private root?: Server;
  private connectionsClosed = false;

  constructor(
    app: INestApplicationContext,
    private readonly setup: {
      /** In order; authentication among them. */
      middlewares: Middleware[];
      serverOptions: Partial<ServerOptions>;
      onConnection?: ConnectionListener[];
      onEngineConnection?: EngineConnectionListener[];
      /** Counts and times every event's answer. */
      meter?: EventMeter;
      /** Hears of the root server once it exists (metrics read its namespaces). */
      onServer?: (server: Server) => void;
      /** Carries events between nodes (the Redis adapter); none on a single node. */
      cluster?: { adapter: ServerOptions['adapter']; close: () => Promise<void> };
    },
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      ...this.setup.serverOptions,
    } as ServerOptions);
    if (this.setup.cluster) server.adapter(this.setup.cluster.adapter);
    server.engine.on('connection', (conn: EventEmitter) =>
      conn.setMaxListeners(CONNECTION_CLOSE_LISTENERS),
    );
    for (const listener of this.setup.onEngineConnection ?? []) {
      server.engine.on('connection', listener);
    }
    this.guard(server.of('/'));
    this.root = server;
    this.setup.onServer?.(server);
    return server;
  }

  /**
   * Stops taking connections, then closes every client's transport: clients see `transport
   * close` and reconnect by themselves, to another node. (A server-side `socket.disconnect()`
   * would say `io server disconnect`, after which clients do not reconnect.) Their sockets'
   * `disconnect` handlers run now, while every service is still up. Done once; `close` does it
   * first too.
   */
  closeConnections(): void {
    if (!this.root || this.connectionsClosed) return;
    this.connectionsClosed = true;
    const http = this.root.httpServer as HttpServer | undefined;
    if (http) {
      // A keep-alive connection would go on carrying requests to a node that is going away:
      // each request it brings from now on is answered with `Connection: close`, and idle ones
      // are closed now (busy ones close after their response).
      http.prependListener('request', (_req, res: ServerResponse) =>
        res.setHeader('Connection', 'close'),
      );
      http.close();
      http.closeIdleConnections();
    }
    this.root.engine.close();
  }

  override create(
    port: number,
    options?: ServerOptions & { namespace?: string; server?: Server },
  ): Server {
    const created = super.create(port, options);
    if ('use' in created && 'name' in created) this.guard(created);
    return created as Server;
  }

  /** Called for the server and for each namespace; the server's close covers them all. */
  override async close(server: Server): Promise<void> {
    if (server !== this.root) return super.close(server);
    this.closeConnections();
    // Unsubscribes each namespace's adapter; the Redis connections go once that is done.
    await super.close(server);
    await this.setup.cluster?.close();
  }

  /**
   * One plain listener per handler and socket, in place of Nest's rxjs stream per handler and
   * socket (fromEvent, mergeMap, takeUntil). For handlers Nest has bound to this socket; ours come
   * through bindSharedHandlers.
   */
  override bindMessageHandlers(socket: Socket, handlers: WsMessageHandler[]): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      const handler: Handler = {
        message,
        isAckHandledManually,
        run: (_socket, data, reply) => callback(data, reply),
      };
      socket.on(message, (...args: unknown[]) => this.handle(socket, handler, args));
    }
  }

  /**
   * A gateway's handlers, the same objects for all its sockets (installSharedHandlers): each
   * socket listens with one function per handler that every socket shares, so an idle socket
   * holds no function or closure of its own per handler.
   */
  bindSharedHandlers(socket: Socket, handlers: SharedHandler[]): void {
    for (const shared of handlers) {
      let listener = this.listeners.get(shared);
      if (!listener) {
        const { message, isAckHandledManually, callback, gateway } = shared;
        const handler: Handler = {
          message,
          isAckHandledManually,
          run: (client, data, reply) => callback.call(gateway, client, data, reply),
        };
        const handle = (client: Socket, args: unknown[]): void =>
          this.handle(client, handler, args);
        listener = function (this: Socket, ...args: unknown[]) {
          handle(this, args);
        };
        this.listeners.set(shared, listener);
      }
      socket.on(shared.message, listener);
    }
  }

  /**
   * An event for `handler`, with the acknowledgement envelope every handler answers in: what the
   * handler returns is answered `{ ok: true, data }`. The handler gets `reply` as its
   * acknowledgement argument, and its exception filter answers a failure through it (a handler
   * that acknowledges by hand, with @Ack, answers through it too, when it chooses); an event is
   * answered at most once, and each answer counted and timed by `setup.meter`. A failure that
   * escapes the filter, or an answer that cannot be sent, is answered INTERNAL.
   */
  private handle(socket: Socket, handler: Handler, args: unknown[]): void {
    const startedAt = performance.now();
    const { message, isAckHandledManually } = handler;
    const meter = this.setup.meter;
    const series = meter?.seriesOf(socket.nsp.name, message);
    if (series) meter!.receive(series);
    const last = args[args.length - 1];
    const ack = typeof last === 'function' ? (last as (answer: Answer) => void) : undefined;
    const count = ack ? args.length - 1 : args.length;
    const data = count === 0 ? undefined : count === 1 ? args[0] : args.slice(0, count);
    const send = (answer: Answer, failure: ErrorBody | undefined): void => {
      if (ack) ack(answer);
      else if (failure) socket.emit(ServerEvent.Error, { event: message, ...failure });
    };
    let answered = false;
    const reply: Reply = (answer) => {
      if (answered) return;
      answered = true;
      let failure = failureOf(answer);
      try {
        send(answer, failure);
      } catch (error) {
        // A value Socket.IO cannot encode (a BigInt, a cycle): the client still gets an answer.
        this.logger.error(error);
        failure = INTERNAL_ERROR;
        send({ ok: false, error: failure }, failure);
      }
      if (series) meter!.answer(series, startedAt, failure?.code ?? OK_CODE);
    };
    call(handler.run, socket, data, reply).then(
      (result) => {
        if (!isAckHandledManually) reply({ ok: true, data: result ?? {} });
      },
      // toErrorBody logs what it does not know, and answers it INTERNAL.
      (error: unknown) => reply({ ok: false, error: toErrorBody(error) }),
    );
  }

  private guard(namespace: Namespace): void {
    if (this.guarded.has(namespace)) return;
    this.guarded.add(namespace);
    for (const middleware of this.setup.middlewares) namespace.use(middleware);
    for (const listener of this.setup.onConnection ?? []) namespace.on('connection', listener);
  }
}

/**
 * Runs a handler to its result: Nest's are async (a synchronous throw becomes a rejection all the
 * same). Behind an interceptor (none of ours; a global one would apply) or returning one itself,
 * a handler gives an Observable: its first value is the answer, as Nest's own adapter acks it.
 * (An Observable that ends empty, as Nest makes one whose error the filter answered, gives none.)
 */
async function call(
  run: Handler['run'],
  socket: Socket,
  data: unknown,
  reply: Reply,
): Promise<unknown> {
  const result = await run(socket, data, reply);
  return isObservable(result) ? firstValueFrom(result, { defaultValue: undefined }) : result;
}

/**
 * The error of a failure answer. A hand-made answer (@Ack) is a failure only as `ok: false`, and
 * one whose error has no code of the contract's is answered as it is but counted INTERNAL (metric
 * labels stay bounded).
 */
function failureOf(answer: unknown): ErrorBody | undefined {
  const { ok, error } = (answer ?? {}) as { ok?: unknown; error?: Partial<ErrorBody> };
  if (ok !== false) return undefined;
  return error && CODES.has(error.code) ? (error as ErrorBody) : INTERNAL_ERROR;
}

const CODES = new Set<unknown>(Object.values(ErrorCode));
