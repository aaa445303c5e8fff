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

/** Publishes a connected socket's arrival now and its departure when it disconnects. */
export function announceSocket(events: EventEmitter2): (socket: AppSocket) => void {
  return (socket) => {
    const user = socket.data.user;
    if (!user) return;
    const event: SocketLifecycleEvent = {
      userId: user.id,
      socketId: socket.id,
      namespace: socket.nsp.name,
    };
    events.emit(SocketEvent.Connected, event);
    socket.once('disconnect', () => events.emit(SocketEvent.Disconnected, event));
  };
}
