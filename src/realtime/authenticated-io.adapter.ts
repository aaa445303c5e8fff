import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
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
    this.setup.onServer?.(server);
    return server;
  }

  override create(
    port: number,
    options?: ServerOptions & { namespace?: string; server?: Server },
  ): Server {
    const created = super.create(port, options);
    if ('use' in created && 'name' in created) this.guard(created);
    return created as Server;
  }

  override async close(server: Server): Promise<void> {
    await super.close(server);
    await this.setup.cluster?.close();
  }

  private guard(namespace: Namespace): void {
    if (this.guarded.has(namespace)) return;
    this.guarded.add(namespace);
    for (const middleware of this.setup.middlewares) namespace.use(middleware);
    for (const listener of this.setup.onConnection ?? []) namespace.on('connection', listener);
  }
}
