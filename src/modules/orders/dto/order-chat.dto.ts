import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import { AcceptsBareValue } from '../../../common/validation/bare-value.decorator.js';
import {
  HistoryOptionsDto,
  JoinOptionsDto,
  ReadMessagesBodyDto,
  SendMessageBodyDto,
  TypingBodyDto,
} from '../../chat/dto/rest.dto.js';

// /orders payloads: the /chat payloads with orderId in place of chatId.

export class OrderIdDto {
  @ApiProperty()
  @IsUUID()
  orderId!: string;
}

/** `{ orderId, sinceSeq?, limit? }`, or the bare orderId string. */
@AcceptsBareValue('orderId')
export class OrderJoinChatDto extends IntersectionType(OrderIdDto, JoinOptionsDto) {}
export class OrderSendMessageDto extends IntersectionType(OrderIdDto, SendMessageBodyDto) {}
export class OrderReadMessagesDto extends IntersectionType(OrderIdDto, ReadMessagesBodyDto) {}
export class OrderTypingDto extends IntersectionType(OrderIdDto, TypingBodyDto) {}
export class OrderGetMessagesDto extends IntersectionType(OrderIdDto, HistoryOptionsDto) {}
