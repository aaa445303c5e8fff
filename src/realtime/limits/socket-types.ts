import type { Socket } from 'socket.io';
import type { AppSocket } from '../../common/ws/app-socket.js';

/** An Engine.IO connection: one per client, shared by every namespace it connects to. */
export type EngineSocket = Socket['conn'];

/** A namespace handshake middleware. */
export type Middleware = (socket: AppSocket, next: (error?: Error) => void) => void;
