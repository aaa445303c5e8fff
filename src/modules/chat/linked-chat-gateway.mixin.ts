import type { Type } from '@nestjs/common';
import {
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  SubscribeMessage,
} from '@nestjs/websockets';
import type { Actor } from '../../common/auth/actor.js';
import { LimitMessageRate } from '../../common/limits/message-rate.guard.js';
import { ValidateAs } from '../../common/validation/validate-as.pipe.js';
import type { AppSocket } from '../../common/ws/app-socket.js';
import { WsActor } from '../../common/ws/ws-actor.decorator.js';
import { LinkedChatClientEvent as C } from '../../realtime/events.js';
import type { ChatLink } from './chat-links.js';
import type {
  HistoryOptionsDto,
  JoinOptionsDto,
  ReadMessagesBodyDto,
  SendMessageBodyDto,
  TypingBodyDto,
} from './dto/rest.dto.js';
import type { LinkedChats } from './linked-chats.js';

/** The payload classes of one namespace: the /chat payloads keyed by its id instead of chatId. */
export interface LinkedChatPayloads {
  ref: Type;
  join: Type;
  send: Type;
  read: Type;
  typing: Type;
  history: Type;
}

type Keyed<K extends string, T = object> = { [P in K]: string } & T;

/**
 * The chat handlers of /orders and /disputes, written once: each takes the namespace's payload
 * (validated as its class), splits off the owner's id and hands the rest to LinkedChats.
 * A gateway extends the result, supplies `chat`, and carries @RealtimeGateway itself.
 */
export function LinkedChatGateway<K extends keyof ChatLink>(key: K, payloads: LinkedChatPayloads) {
  const split = <T extends object>(payload: Keyed<K, T>): [string, T] => {
    const { [key]: id, ...rest } = payload;
    return [id, rest as unknown as T];
  };

  abstract class Gateway implements OnGatewayConnection {
    protected abstract readonly chat: LinkedChats<K>;

    handleConnection(socket: AppSocket): void {
      this.chat.attach(socket);
    }

    @SubscribeMessage(C.JoinChat)
    joinChat(
      @WsActor() actor: Actor,
      @ConnectedSocket() socket: AppSocket,
      @MessageBody(new ValidateAs(payloads.join)) payload: Keyed<K, JoinOptionsDto>,
    ) {
      return this.chat.join(actor, socket, ...split(payload));
    }

    @SubscribeMessage(C.LeaveChat)
    leaveChat(
      @WsActor() actor: Actor,
      @ConnectedSocket() socket: AppSocket,
      @MessageBody(new ValidateAs(payloads.ref)) payload: Keyed<K>,
    ) {
      return this.chat.leave(actor, socket, payload[key]);
    }

    @SubscribeMessage(C.SendMessage)
    @LimitMessageRate()
    sendMessage(
      @WsActor() actor: Actor,
      @MessageBody(new ValidateAs(payloads.send)) payload: Keyed<K, SendMessageBodyDto>,
    ) {
      return this.chat.send(actor, ...split(payload));
    }

    @SubscribeMessage(C.ReadMessages)
    readMessages(
      @WsActor() actor: Actor,
      @MessageBody(new ValidateAs(payloads.read)) payload: Keyed<K, ReadMessagesBodyDto>,
    ) {
      return this.chat.read(actor, ...split(payload));
    }

    @SubscribeMessage(C.Typing)
    typing(
      @WsActor() actor: Actor,
      @ConnectedSocket() socket: AppSocket,
      @MessageBody(new ValidateAs(payloads.typing)) payload: Keyed<K, TypingBodyDto>,
    ) {
      return this.chat.typing(actor, socket, ...split(payload));
    }

    @SubscribeMessage(C.GetMessages)
    getMessages(
      @WsActor() actor: Actor,
      @MessageBody(new ValidateAs(payloads.history)) payload: Keyed<K, HistoryOptionsDto>,
    ) {
      return this.chat.history(actor, ...split(payload));
    }
  }
  return Gateway;
}
