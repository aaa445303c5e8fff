import type { Socket } from 'socket.io';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { LimitName } from '../../metrics/limit.metrics.js';

/** An Engine.IO connection: one per client, shared by every namespace it connects to. */
export type EngineSocket = Socket['conn'];

/** A namespace handshake middleware. */
export type Middleware = (socket: AppSocket, next: (error?: Error) => void) => void;

/** Hears of each refusal by a limit, for the metrics. */
export type OnRefused = (limit: LimitName) => void;
