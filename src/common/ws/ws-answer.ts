import type { ErrorBody } from '../errors/error-body.js';

/** The acknowledgement envelope every socket event is answered with (PROTOCOL.md). */
export type Answer = { ok: true; data: unknown } | { ok: false; error: ErrorBody };

/**
 * What a gateway handler gets as its acknowledgement argument: the socket adapter's, which sends
 * the first answer it is given (to the client's callback, or as an `error` event when the client
 * sent none) and ignores any later one.
 */
export type Reply = (answer: Answer) => void;
