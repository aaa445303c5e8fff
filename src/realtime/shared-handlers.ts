import type { WsMessageHandler } from '@nestjs/common';
import type { Socket } from 'socket.io';
import { WebSocketsController } from '@nestjs/websockets/web-sockets-controller.js';

/**
 * A gateway's handler as `installSharedHandlers` gives it to the adapter: not bound to a socket,
 * the same object for every socket of the gateway. `callback.call(gateway, socket, ...args)` is
 * what Nest's `callback.bind(gateway, socket)` would have called.
 */
export interface SharedHandler extends Pick<WsMessageHandler, 'message' | 'isAckHandledManually'> {
  callback: (this: object, socket: Socket, ...args: unknown[]) => unknown;
  gateway: object;
}

/** An adapter that can listen with shared handlers (AuthenticatedIoAdapter). */
interface SharingAdapter {
  bindSharedHandlers(socket: Socket, handlers: SharedHandler[]): void;
}

type Subscriber = Pick<SharedHandler, 'message' | 'callback' | 'isAckHandledManually'>;
type Subscribe = (
  this: unknown,
  subscribers: Subscriber[],
  socket: Socket,
  gateway: object,
) => void;

const installed = Symbol('shared-handlers');
/** Each gateway's subscribers (Nest keeps one array per gateway), as shared handlers. */
const sharedOf = new WeakMap<Subscriber[], SharedHandler[]>();

/**
 * Nest binds every handler of a gateway to every socket that connects
 * (`callback.bind(gateway, socket)` in WebSocketsController.subscribeMessages), and the adapter
 * then listens on the socket with a function per handler: for /chat's sixteen handlers, sixteen
 * bound functions, sixteen listeners and their closures in every idle socket, about 3 KB of it.
 * This replaces subscribeMessages with one that gives an adapter that can take them (one with
 * `bindSharedHandlers`) each gateway's handlers once, unbound, with their gateway; the adapter
 * listens on every socket with the same function per handler. Any other adapter, or a Nest whose
 * subscribeMessages is not what this expects, gets Nest's own. Idempotent, process-wide.
 */
export function installSharedHandlers(): void {
  const prototype = WebSocketsController.prototype as unknown as {
    subscribeMessages?: Subscribe;
    [installed]?: true;
  };
  const nestSubscribe = prototype.subscribeMessages;
  if (prototype[installed] || typeof nestSubscribe !== 'function' || nestSubscribe.length !== 3)
    return;
  prototype[installed] = true;
  prototype.subscribeMessages = function (subscribers, socket, gateway) {
    const adapter = (
      this as { config?: { getIoAdapter?: () => Partial<SharingAdapter> | undefined } }
    ).config?.getIoAdapter?.();
    if (typeof adapter?.bindSharedHandlers !== 'function' || !Array.isArray(subscribers))
      return nestSubscribe.call(this, subscribers, socket, gateway);
    let shared = sharedOf.get(subscribers);
    // One array per gateway, as Nest 12 keeps it; were it ever shared, Nest's own way is safe.
    if (shared && shared[0]?.gateway !== gateway)
      return nestSubscribe.call(this, subscribers, socket, gateway);
    if (!shared) {
      shared = subscribers.map(({ message, callback, isAckHandledManually }) => ({
        message,
        callback,
        isAckHandledManually,
        gateway,
      }));
      sharedOf.set(subscribers, shared);
    }
    adapter.bindSharedHandlers(socket, shared);
  };
}
