import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type { Namespace, Server, ServerOptions, Socket } from 'socket.io';

type Middleware = (socket: Socket, next: (error?: Error) => void) => void;
type ConnectionListener = (socket: Socket) => void;

/**
 * Nest's Socket.IO adapter with our server options and the authentication middleware on every
 * namespace, so no socket reaches a gateway unauthenticated; `onConnection` hears of every
 * socket that gets through, in any namespace.
 */
export class AuthenticatedIoAdapter extends IoAdapter {
  private readonly guarded = new WeakSet<Namespace>();

  constructor(
    app: INestApplicationContext,
    private readonly authenticate: Middleware,
    private readonly serverOptions: Partial<ServerOptions>,
    private readonly onConnection: ConnectionListener = () => undefined,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): Server {
    const server = super.createIOServer(port, {
      ...options,
      ...this.serverOptions,
    } as ServerOptions);
    this.guard(server.of('/'));
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

  private guard(namespace: Namespace): void {
    if (this.guarded.has(namespace)) return;
    this.guarded.add(namespace);
    namespace.use(this.authenticate);
    namespace.on('connection', this.onConnection);
  }
}
