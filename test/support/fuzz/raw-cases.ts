import type { RawFrame } from './raw-socket.js';

export interface RawContext {
  token: string;
  chatId: string;
}

export interface RawCase {
  name: string;
  /** Sent after the Engine.IO open and a Socket.IO CONNECT to /chat. */
  frames: (c: RawContext) => RawFrame[];
  /** An ack id the garbage carries: if the connection survives, that ack must come. */
  ackId?: number;
  /** A reply (by prefix) the server must send if the connection survives. */
  reply?: string;
}

const bin = (...bytes: number[]): Buffer => Buffer.from(bytes);
const deepArray = (depth: number): string => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number): string => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

/** Malformed Engine.IO and Socket.IO packets, sent over a bare WebSocket. */
export const RAW_CASES: RawCase[] = [
  // Engine.IO
  { name: 'an unknown Engine.IO packet type', frames: () => ['9hello', 'x', '7'] },
  { name: 'an empty text frame', frames: () => [''] },
  { name: 'an Engine.IO upgrade packet mid-session', frames: () => ['5'] },
  { name: 'an Engine.IO noop and a stray pong', frames: () => ['6', '3', '3probe', '2probe'] },
  { name: 'an Engine.IO close packet', frames: () => ['1'] },
  { name: 'an Engine.IO message with no Socket.IO packet', frames: () => ['4'] },
  // Socket.IO packet types
  { name: 'an unknown Socket.IO packet type', frames: () => ['47/chat,[]'] },
  { name: 'a non-digit Socket.IO packet type', frames: () => ['4x/chat,[]'] },
  { name: 'a CONNECT_ERROR sent by the client', frames: () => ['44/chat,{"message":"x"}'] },
  { name: 'a DISCONNECT with a payload', frames: () => ['41/chat,{"a":1}'] },
  // truncated or trailing JSON
  {
    name: 'truncated JSON',
    frames: (c) => [`42/chat,3["sendMessage",{"chatId":"${c.chatId}","text":`],
  },
  { name: 'an EVENT that stops after its ack id', frames: () => ['42/chat,17'] },
  { name: 'an EVENT with an unterminated namespace', frames: () => ['42/chat'] },
  { name: 'JSON followed by garbage', frames: () => ['42/chat,4["whoami",{}]garbage'] },
  // the first element of an EVENT
  { name: 'an EVENT whose first element is a number', frames: () => ['42/chat,5[42,{}]'] },
  { name: 'an EVENT whose first element is null', frames: () => ['42/chat,5[null,{}]'] },
  { name: 'an EVENT whose first element is an object', frames: () => ['42/chat,5[{"e":1}]'] },
  { name: 'an EVENT whose first element is an array', frames: () => ['42/chat,5[["whoami"],{}]'] },
  { name: 'an empty EVENT array', frames: () => ['42/chat,5[]'] },
  { name: 'an EVENT that is an object', frames: () => ['42/chat,5{"0":"whoami"}'] },
  { name: 'an EVENT that is a string', frames: () => ['42/chat,5"whoami"'] },
  ...[
    'connect',
    'connect_error',
    'disconnect',
    'disconnecting',
    'newListener',
    'removeListener',
  ].map((name): RawCase => ({
    name: `the reserved event name "${name}"`,
    frames: () => [`42/chat,["${name}",{}]`],
  })),
  { name: 'an "error" event with an ack', frames: () => ['42/chat,6["error",{"code":"X"}]'] },
  { name: 'an "error" event without an ack', frames: () => ['42/chat,["error"]'] },
  { name: '__proto__ as the event name', frames: () => ['42/chat,7["__proto__",{}]'] },
  { name: 'a NUL in the event name', frames: () => ['42/chat,8["who\\u0000ami",{}]'] },
  // ack ids
  { name: 'an ACK for an id the server never used', frames: () => ['43/chat,12345[{}]'] },
  { name: 'an ACK with an object payload', frames: () => ['43/chat,1{}'] },
  { name: 'an ACK without an id', frames: () => ['43/chat,[1]'] },
  { name: 'a BINARY_ACK with nothing attached', frames: () => ['460-/chat,1[]'] },
  {
    name: 'an ack id too big for a number',
    frames: () => ['42/chat,99999999999999999999999["whoami",{}]'],
  },
  { name: 'an ack id with leading zeros', frames: () => ['42/chat,007["whoami",{}]'], ackId: 7 },
  // binary placeholders
  {
    name: 'a placeholder pointing past the attachments',
    frames: (c) => [
      `451-/chat,9["sendMessage",{"chatId":"${c.chatId}","text":{"_placeholder":true,"num":5}}]`,
      bin(1),
    ],
  },
  {
    name: 'fewer attachments than announced, then a text packet',
    frames: () => [
      '452-/chat,9["whoami",{"_placeholder":true,"num":0}]',
      bin(1),
      '42/chat,["whoami"]',
    ],
  },
  {
    name: 'more attachments than announced',
    frames: () => ['451-/chat,10["whoami",{"_placeholder":true,"num":0}]', bin(1), bin(2)],
  },
  {
    name: 'a placeholder whose num is a string',
    frames: () => ['451-/chat,11["whoami",{"_placeholder":true,"num":"0"}]', bin(1)],
  },
  {
    name: 'a placeholder whose num is __proto__',
    frames: () => ['451-/chat,11["whoami",{"_placeholder":true,"num":"__proto__"}]', bin(1)],
  },
  {
    name: 'a placeholder with zero attachments announced',
    frames: (c) => [
      `450-/chat,12["joinChat",{"chatId":"${c.chatId}","x":{"_placeholder":true,"num":0}}]`,
    ],
    ackId: 12,
  },
  {
    name: 'a binary attachment as the whole payload',
    frames: () => ['451-/chat,13["getMyChats",{"_placeholder":true,"num":0}]', bin(0xff, 0, 0x7b)],
    ackId: 13,
  },
  { name: 'a binary frame nobody announced', frames: () => [bin(1, 2, 3)] },
  {
    name: 'an attachment count too big to send',
    frames: () => ['459999999999-/chat,14["whoami",{}]'],
  },
  { name: 'a negative attachment count', frames: () => ['45-1-/chat,["whoami"]'] },
  { name: 'an attachment count with no dash', frames: () => ['451/chat,["whoami"]'] },
  // namespaces
  {
    name: 'a CONNECT to an unknown namespace',
    frames: (c) => [`40/nope,{"token":"${c.token}"}`],
    reply: '44/nope,',
  },
  {
    name: 'a CONNECT to a path-like namespace',
    frames: () => ['40/chat/../admin,{}'],
    reply: '44/chat/../admin,',
  },
  {
    name: 'a CONNECT to a namespace named __proto__',
    frames: () => ['40/__proto__,{}'],
    reply: '44/__proto__,',
  },
  { name: 'a CONNECT to a 100 kB namespace name', frames: () => [`40/${'n'.repeat(100_000)},{}`] },
  { name: 'a CONNECT whose auth is a string', frames: () => ['40/orders,"token"'] },
  {
    name: 'a CONNECT whose token is an object',
    frames: () => ['40/orders,{"token":{"a":1}}'],
    reply: '44/orders,',
  },
  {
    name: 'a second CONNECT to the same namespace',
    frames: (c) => [`40/chat,{"token":"${c.token}"}`],
  },
  { name: 'an EVENT to a namespace not connected', frames: () => ['42/orders,15["joinChat",{}]'] },
  { name: 'an EVENT to an unknown namespace', frames: () => ['42/nope,15["whoami"]'] },
  // numbers
  {
    name: 'numbers beyond a double',
    frames: (c) => [
      `42/chat,16["getMessages",{"chatId":"${c.chatId}","before":1e400,"limit":-1e400}]`,
    ],
    ackId: 16,
  },
  {
    name: 'an integer beyond any seq',
    frames: (c) => [
      `42/chat,17["getMessages",{"chatId":"${c.chatId}","after":99999999999999999999}]`,
    ],
    ackId: 17,
  },
  // bytes and sizes
  {
    name: 'invalid UTF-8 in a text frame',
    frames: () => [{ text: bin(0x34, 0x32, 0xff, 0xfe, 0xc3) }],
  },
  {
    name: 'a lone surrogate in a JSON string',
    frames: () => ['42/chat,18["getMessages",{"chatId":"\\ud800"}]'],
    ackId: 18,
  },
  {
    name: 'a frame over the 1 MB cap',
    frames: () => [`42/chat,["whoami","${'x'.repeat(1_100_000)}"]`],
  },
  {
    name: 'arrays nested 100000 deep',
    frames: () => [`42/chat,19["sendMessage",${deepArray(100_000)}]`],
    ackId: 19,
  },
  {
    name: 'an object nested 100000 deep',
    frames: (c) => [
      `42/chat,20["sendMessage",{"chatId":"${c.chatId}","text":${deepObject(100_000)}}]`,
    ],
    ackId: 20,
  },
  {
    name: 'duplicate keys in one object',
    frames: (c) => [`42/chat,21["getMessages",{"chatId":"x","chatId":"${c.chatId}","limit":1}]`],
    ackId: 21,
  },
  {
    name: 'a thousand packets in one burst',
    // Refused by validation (too long to be an id), so the burst measures the socket layer, not
    // the database.
    frames: () =>
      Array<string>(1000).fill(`42/chat,["getMessages",{"chatId":"${'x'.repeat(129)}"}]`),
  },
];
