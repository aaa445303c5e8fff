/**
 * The baseline: a plain Socket.IO server (no Nest, no database) that answers the events the
 * benchmarks send with acks and broadcasts of the same shape and size as the application's, so
 * the difference between the two is what the framework, validation and persistence cost.
 *
 * Started by bench/run.mjs with fork(): env PORT, JWT_SECRET; it reports `{ type: 'ready', port }`
 * and answers `eld-reset` / `eld-read` (event-loop delay) over IPC.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Server } from 'socket.io';
import { verifyToken } from './lib/jwt.mjs';

const secret = process.env.JWT_SECRET ?? '';
// The same sampling resolution as prom-client's default event-loop metrics in the app.
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

const http = createServer((req, res) => {
  res.writeHead(req.url === '/health' ? 200 : 404, { 'content-type': 'application/json' });
  res.end('{"status":"ok"}');
});
const io = new Server(http, {
  path: '/socket.io',
  serveClient: false,
  maxHttpBufferSize: 1_000_000,
  cors: { origin: true, credentials: true },
});

/** Last seq per chat: the raw server numbers messages like the app, without storing them. */
const seqs = new Map();
const ok = (data) => ({ ok: true, data });
const invalid = { ok: false, error: { code: 'VALIDATION_FAILED', message: 'validation failed' } };
const isObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);

const chat = io.of('/chat');
chat.use((socket, next) => {
  const token = socket.handshake.auth?.token;
  const claims = typeof token === 'string' ? verifyToken(token, secret) : null;
  if (!claims)
    return next(Object.assign(new Error('unauthorized'), { data: { code: 'UNAUTHORIZED' } }));
  socket.data.user = { id: claims.sub, name: claims.name, role: claims.role };
  next();
});

chat.on('connection', (socket) => {
  const user = socket.data.user;
  void socket.join(`user:${user.id}`);

  socket.on('whoami', (_payload, ack) => {
    if (typeof ack === 'function') ack(ok({ id: user.id, name: user.name, role: user.role }));
  });

  socket.on('typing', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (
      !isObject(payload) ||
      typeof payload.chatId !== 'string' ||
      typeof payload.isTyping !== 'boolean'
    )
      return ack(invalid);
    ack(ok({}));
  });

  socket.on('joinChat', (payload, ack) => {
    if (typeof ack !== 'function') return;
    const chatId = typeof payload === 'string' ? payload : payload?.chatId;
    if (typeof chatId !== 'string') return ack(invalid);
    void socket.join(`chat:${chatId}`);
    ack(ok({ chat: chatView(chatId, user), messages: [], hasMore: false }));
  });

  socket.on('sendMessage', (payload, ack) => {
    if (typeof ack !== 'function') return;
    if (
      !isObject(payload) ||
      typeof payload.chatId !== 'string' ||
      typeof payload.text !== 'string'
    )
      return ack(invalid);
    const seq = (seqs.get(payload.chatId) ?? 0) + 1;
    seqs.set(payload.chatId, seq);
    const message = messageView(payload, user, seq);
    socket.to(`chat:${payload.chatId}`).emit('newMessage', message);
    ack(ok(message));
  });

  // A page of history as the app gives it for `history`'s seed (its texts, one row in ten of the
  // big chat's), built in memory: what Socket.IO alone costs for a reply of that size, which the
  // app spends a PostgreSQL read on. `before` is required (the bench always passes one), as a
  // number or a string of digits, as the app takes it.
  socket.on('getMessages', (payload, ack) => {
    if (typeof ack !== 'function') return;
    const limit = payload?.limit ?? 50;
    const before =
      typeof payload?.before === 'string' && /^\d{1,10}$/.test(payload.before)
        ? Number(payload.before)
        : payload?.before;
    if (
      !isObject(payload) ||
      typeof payload.chatId !== 'string' ||
      !(Number.isInteger(before) && before >= 1) ||
      !(Number.isInteger(limit) && limit >= 1 && limit <= 100)
    )
      return ack(invalid);
    const from = Math.max(1, before - limit);
    const items = [];
    for (let seq = from; seq < before; seq++) {
      const text = `history message ${(seq - 1) * 10} lorem ipsum dolor sit amet, consectetur adipiscing elit`;
      items.push(messageView({ chatId: payload.chatId, text }, user, seq));
    }
    const hasMore = from > 1;
    ack(ok({ items, hasMore, nextCursor: hasMore ? String(from) : null }));
  });
});

/** The application's Message, field for field (PROTOCOL.md "Types"). */
function messageView(payload, user, seq) {
  return {
    id: randomUUID(),
    chatId: payload.chatId,
    seq,
    senderId: user.id,
    senderRole: user.role,
    type: 'TEXT',
    text: payload.text.trim(),
    attachments: [],
    replyToId: null,
    replyTo: null,
    clientMessageId: payload.clientMessageId ?? null,
    reactions: [],
    isDeleted: false,
    deletedAt: null,
    editedAt: null,
    createdAt: new Date().toISOString(),
  };
}

function chatView(chatId, user) {
  const at = new Date().toISOString();
  return {
    id: chatId,
    type: 'DIRECT',
    title: null,
    status: 'ACTIVE',
    orderId: null,
    disputeId: null,
    members: [{ userId: user.id, name: user.name, role: user.role, lastReadSeq: 0, joinedAt: at }],
    lastSeq: seqs.get(chatId) ?? 0,
    lastMessage: null,
    unreadCount: 0,
    createdAt: at,
    updatedAt: at,
  };
}

process.on('message', (/** @type {any} */ message) => {
  if (message?.type === 'eld-reset') delay.reset();
  if (message?.type === 'eld-read') {
    process.send?.({
      type: 'eld',
      id: message.id,
      p99Ms: delay.percentile(99) / 1e6,
      maxMs: delay.max / 1e6,
    });
  }
});
process.on('disconnect', () => process.exit(0));

http.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = http.address();
  process.send?.({
    type: 'ready',
    port: typeof address === 'object' && address ? address.port : 0,
  });
});
