import type { INestApplicationContext, WsMessageHandler } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { isObservable } from 'rxjs';
import type { Server as HttpServer, ServerResponse } from 'node:http';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';

type Middleware = (socket: Socket, next: (error?: Error) => void) => void;
type ConnectionListener = (socket: Socket) => void;
type EngineConnectionListener = (conn: Socket['conn']) => void;

/**
 * Nest's Socket.IO adapter with our server options and the handshake middlewares (limits and
 * authentication) on every namespace, so no socket reaches a gateway unauthenticated;
 * `onConnection` hears of every socket that gets through, in any namespace, and
 * `onEngineConnection` of every Engine.IO connection (one per client, shared by its namespaces).
 */
export class AuthenticatedIoAdapter extends IoAdapter {
  private readonly guarded = new WeakSet<Namespace>();
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
   * socket (fromEvent, mergeMap, takeUntil): the same calls and answers, without the several
   * objects each stream keeps per socket and builds per event. The handler's own exception
   * filter answers its failures; what escapes it is logged, as Nest does.
   */
  override bindMessageHandlers(socket: Socket, handlers: WsMessageHandler[]): void {
    for (const { message, callback, isAckHandledManually } of handlers) {
      socket.on(message, (...args: unknown[]) => {
        const last = args[args.length - 1];
        const ack = typeof last === 'function' ? (last as (response: unknown) => void) : undefined;
        const count = ack ? args.length - 1 : args.length;
        const data = count === 0 ? undefined : count === 1 ? args[0] : args.slice(0, count);
        const answer = (response: unknown): void => {
          if (response === null || response === undefined) return;
          const { event, data: payload } = response as { event?: string; data?: unknown };
          if (event) socket.emit(event, payload);
          else if (!isAckHandledManually) ack?.(response);
        };
        const fail = (error: unknown): void => this.logger.error(error);
        // Nest's handlers resolve to a value or to an Observable (through interceptors).
        (async () => {
          const result: unknown = await callback(data, ack);
          if (isObservable(result)) result.subscribe({ next: answer, error: fail });
          else answer(await result);
        })().catch(fail);
      });
    }
  }

  private guard(namespace: Namespace): void {
    if (this.guarded.has(namespace)) return;
    this.guarded.add(namespace);
    for (const middleware of this.setup.middlewares) namespace.use(middleware);
    for (const listener of this.setup.onConnection ?? []) namespace.on('connection', listener);
  }
}
