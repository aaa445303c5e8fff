import type { Actor } from '../../common/auth/actor.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import type { ChatLink } from './chat-links.js';
import type { ChatSessions, Joined } from './chat-sessions.js';
import type { MessagePage, MessageView } from './chat.types.js';
import type { HistoryOptionsDto, JoinOptionsDto, TypingBodyDto } from './dto/rest.dto.js';
import type { ReadMessagesBodyDto, SendMessageBodyDto } from './dto/rest.dto.js';
import type { MessageService, ReadResult } from './message.service.js';

/** Finds the chat of an order or dispute that the actor may use, or throws FORBIDDEN. */
export type ChatOf = (actor: Actor, ownerId: string) => Promise<string>;

/**
 * The /chat use cases for chats that belong to something else (orders, disputes), for its
 * namespace and its REST routes alike: the owner's own access check finds the chat, then the chat
 * services do the rest. Answers other than pages carry the owner's id beside chatId, as the
 * events do.
 */
export class LinkedChats<K extends keyof ChatLink> {
  constructor(
    private readonly key: K,
    private readonly chatOf: ChatOf,
    private readonly sessions: ChatSessions,
    private readonly messages: MessageService,
  ) {}

  /** Puts the socket in its user's room and cleans up after it on disconnect. */
  attach(socket: AppSocket): void {
    this.sessions.attach(socket);
  }

  async join(actor: Actor, socket: AppSocket, ownerId: string, options: JoinOptionsDto) {
    const chatId = await this.chatOf(actor, ownerId);
    const link = this.link(ownerId);
    const joined: Joined = await this.sessions.join(actor, socket, { ...options, chatId }, link);
    return { ...link, ...joined };
  }

  async leave(actor: Actor, socket: AppSocket, ownerId: string) {
    const chatId = await this.chatOf(actor, ownerId);
    await this.sessions.leave(actor, socket, chatId);
    return { chatId, ...this.link(ownerId) };
  }

  async send(actor: Actor, ownerId: string, body: SendMessageBodyDto) {
    const chatId = await this.chatOf(actor, ownerId);
    const message: MessageView = await this.messages.send(actor, { ...body, chatId });
    return { ...message, ...this.link(ownerId) };
  }

  async read(actor: Actor, ownerId: string, body: ReadMessagesBodyDto) {
    const chatId = await this.chatOf(actor, ownerId);
    const read: ReadResult = await this.messages.read(actor, { ...body, chatId });
    return { ...read, ...this.link(ownerId) };
  }

  async typing(actor: Actor, socket: AppSocket, ownerId: string, body: TypingBodyDto) {
    const chatId = await this.chatOf(actor, ownerId);
    await this.sessions.typing(actor, socket, { ...body, chatId });
    return {};
  }

  async history(actor: Actor, ownerId: string, query: HistoryOptionsDto): Promise<MessagePage> {
    const chatId = await this.chatOf(actor, ownerId);
    return this.messages.history(actor, { ...query, chatId });
  }

  private link(ownerId: string): Record<K, string> {
    return { [this.key]: ownerId } as Record<K, string>;
  }
}
