import {
  ConnectedSocket,
  MessageBody,
  OnGatewayConnection,
  OnGatewayInit,
  SubscribeMessage,
} from '@nestjs/websockets';
import type { Namespace } from 'socket.io';
import type { Actor } from '../../common/auth/actor.js';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { LimitMessageRate } from '../../common/limits/message-rate.guard.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { EmptyPayload } from '../../common/validation/empty-payload.pipe.js';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { WsActor } from '../../common/ws/ws-actor.decorator.js';
import { WsUser } from '../../common/ws/ws-user.decorator.js';
import { ChatClientEvent, ClientEvent, Namespace as Ns } from '../../realtime/events.js';
import { UserDto } from '../users/dto/user.dto.js';
import { UsersService } from '../users/users.service.js';
import { ChatRealtime } from './chat.realtime.js';
import { ChatSessions, type Joined } from './chat-sessions.js';
import { ChatService } from './chat.service.js';
import type { ChatView, MessagePage, MessageView, Page } from './chat.types.js';
import { ChatIdDto, GetMessagesDto, JoinChatDto, MyChatsDto } from './dto/chat-ref.dto.js';
import { CreateChatDto } from './dto/create-chat.dto.js';
import { ReadMessagesDto, SendMessageDto } from './dto/send-message.dto.js';
import { MessageEditService } from './message-edit.service.js';
import { MessageService, ReadResult } from './message.service.js';
import {
  ChatStatusDto,
  EditMessageDto,
  MessageIdDto,
  ReactionDto,
  RemoveReactionDto,
  TypingDto,
} from './dto/message-ref.dto.js';

@RealtimeGateway(Ns.Chat)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection {
  constructor(
    private readonly users: UsersService,
    private readonly chats: ChatService,
    private readonly messages: MessageService,
    private readonly realtime: ChatRealtime,
    private readonly edits: MessageEditService,
    private readonly sessions: ChatSessions,
  ) {}

  afterInit(nsp: Namespace): void {
    this.realtime.bind(nsp);
  }

  handleConnection(socket: AppSocket): void {
    this.sessions.attach(socket);
  }

  /** The caller as the server knows them: a cheap way for a client to check its session. */
  @SubscribeMessage(ClientEvent.WhoAmI)
  whoAmI(@WsUser() user: AuthUser, @MessageBody(EmptyPayload) _: object): Promise<UserDto> {
    return this.users.get(user.id);
  }

  @SubscribeMessage(ChatClientEvent.CreateChat)
  createChat(@WsActor() actor: Actor, @MessageBody() dto: CreateChatDto): Promise<ChatView> {
    return this.chats.create(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.GetMyChats)
  getMyChats(@WsActor() actor: Actor, @MessageBody() dto: MyChatsDto): Promise<Page<ChatView>> {
    return this.chats.mine(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.JoinChat)
  joinChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: JoinChatDto,
  ): Promise<Joined> {
    return this.sessions.join(actor, socket, dto);
  }

  @SubscribeMessage(ChatClientEvent.LeaveChat)
  async leaveChat(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: ChatIdDto,
  ): Promise<{ chatId: string }> {
    await this.sessions.leave(actor, socket, dto.chatId);
    return { chatId: dto.chatId };
  }

  @SubscribeMessage(ChatClientEvent.SendMessage)
  @LimitMessageRate()
  sendMessage(@WsActor() actor: Actor, @MessageBody() dto: SendMessageDto): Promise<MessageView> {
    return this.messages.send(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.ReadMessages)
  readMessages(@WsActor() actor: Actor, @MessageBody() dto: ReadMessagesDto): Promise<ReadResult> {
    return this.messages.read(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.GetMessages)
  getMessages(@WsActor() actor: Actor, @MessageBody() dto: GetMessagesDto): Promise<MessagePage> {
    return this.messages.history(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.EditMessage)
  @LimitMessageRate()
  editMessage(@WsActor() actor: Actor, @MessageBody() dto: EditMessageDto): Promise<MessageView> {
    return this.edits.edit(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.DeleteMessage)
  @LimitMessageRate()
  deleteMessage(@WsActor() actor: Actor, @MessageBody() dto: MessageIdDto): Promise<MessageView> {
    return this.edits.remove(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.AddReaction)
  @LimitMessageRate()
  addReaction(@WsActor() actor: Actor, @MessageBody() dto: ReactionDto): Promise<MessageView> {
    return this.edits.addReaction(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.RemoveReaction)
  @LimitMessageRate()
  removeReaction(
    @WsActor() actor: Actor,
    @MessageBody() dto: RemoveReactionDto,
  ): Promise<MessageView> {
    return this.edits.removeReaction(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.Typing)
  async typing(
    @WsActor() actor: Actor,
    @ConnectedSocket() socket: AppSocket,
    @MessageBody() dto: TypingDto,
  ): Promise<object> {
    await this.sessions.typing(actor, socket, dto);
    return {};
  }

  @SubscribeMessage(ChatClientEvent.SetChatStatus)
  setChatStatus(@WsActor() actor: Actor, @MessageBody() dto: ChatStatusDto): Promise<ChatView> {
    return this.chats.setStatus(actor, dto);
  }

  @SubscribeMessage(ChatClientEvent.DeleteChat)
  deleteChat(@WsActor() actor: Actor, @MessageBody() dto: ChatIdDto): Promise<{ chatId: string }> {
    return this.chats.remove(actor, dto);
  }

  /** Users with a socket joined to the chat in any namespace, on every node. */
  @SubscribeMessage(ChatClientEvent.GetActiveUsers)
  getActiveUsers(@WsActor() actor: Actor, @MessageBody() dto: ChatIdDto) {
    return this.chats.activeUsers(actor, dto.chatId);
  }
}
