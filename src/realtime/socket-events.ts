import type { EventEmitter2 } from '@nestjs/event-emitter';
import type { AppSocket } from '../common/ws/app-socket.js';

/** Every authenticated socket of every namespace, connecting and going (for presence). */
export const SocketEvent = {
  Connected: 'socket.connected',
  Disconnected: 'socket.disconnected',
} as const;

export interface SocketLifecycleEvent {
  userId: string;
  socketId: string;
  namespace: string;
}

/**
 * Publishes a connected socket's arrival now and its departure when it disconnects (once: a
 * socket disconnects once). One departure listener serves every socket, so an idle socket holds
 * no closure, event or once-wrapper of its own for it.
 */
export function announceSocket(events: EventEmitter2): (socket: AppSocket) => void {
  function departed(this: AppSocket): void {
    events.emit(SocketEvent.Disconnected, lifecycleOf(this));
  }
  return (socket) => {
    if (!socket.data.user) return;
    events.emit(SocketEvent.Connected, lifecycleOf(socket));
    socket.on('disconnect', departed);
  };
}

function lifecycleOf(socket: AppSocket): SocketLifecycleEvent {
  return { userId: socket.data.user!.id, socketId: socket.id, namespace: socket.nsp.name };
}
