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

// /disputes payloads: the /chat payloads with disputeId in place of chatId.

export class DisputeIdDto {
  @ApiProperty()
  @IsUuid()
  disputeId!: string;
}

/** `{ disputeId, sinceSeq?, limit? }`, or the bare disputeId string. */
@AcceptsBareValue('disputeId')
export class DisputeJoinChatDto extends IntersectionType(DisputeIdDto, JoinOptionsDto) {}
export class DisputeSendMessageDto extends IntersectionType(DisputeIdDto, SendMessageBodyDto) {}
export class DisputeReadMessagesDto extends IntersectionType(DisputeIdDto, ReadMessagesBodyDto) {}
export class DisputeTypingDto extends IntersectionType(DisputeIdDto, TypingBodyDto) {}
export class DisputeGetMessagesDto extends IntersectionType(DisputeIdDto, HistoryOptionsDto) {}

export const DISPUTE_CHAT_PAYLOADS: LinkedChatPayloads = {
  ref: DisputeIdDto,
  join: DisputeJoinChatDto,
  send: DisputeSendMessageDto,
  read: DisputeReadMessagesDto,
  typing: DisputeTypingDto,
  history: DisputeGetMessagesDto,
};
