import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { AcceptsBareValue } from '../../../common/validation/bare-value.decorator.js';
import {
  HistoryOptionsDto,
  JoinOptionsDto,
  ReadMessagesBodyDto,
  SendMessageBodyDto,
  TypingBodyDto,
} from '../../chat/dto/rest.dto.js';
import type { LinkedChatPayloads } from '../../chat/linked-chat-gateway.mixin.js';

// /orders payloads: the /chat payloads with orderId in place of chatId.

export class OrderIdDto {
  @ApiProperty()
  @IsUuid()
  orderId!: string;
}

/** `{ orderId, sinceSeq?, limit? }`, or the bare orderId string. */
@AcceptsBareValue('orderId')
export class OrderJoinChatDto extends IntersectionType(OrderIdDto, JoinOptionsDto) {}
export class OrderSendMessageDto extends IntersectionType(OrderIdDto, SendMessageBodyDto) {}
export class OrderReadMessagesDto extends IntersectionType(OrderIdDto, ReadMessagesBodyDto) {}
export class OrderTypingDto extends IntersectionType(OrderIdDto, TypingBodyDto) {}
export class OrderGetMessagesDto extends IntersectionType(OrderIdDto, HistoryOptionsDto) {}

export const ORDER_CHAT_PAYLOADS: LinkedChatPayloads = {
  ref: OrderIdDto,
  join: OrderJoinChatDto,
  send: OrderSendMessageDto,
  read: OrderReadMessagesDto,
  typing: OrderTypingDto,
  history: OrderGetMessagesDto,
};
