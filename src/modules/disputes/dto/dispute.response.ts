import { ApiProperty } from '@nestjs/swagger';
import { MessageResponse } from '../../chat/dto/responses.dto.js';
import { DisputeStatus } from '../entities/dispute.entity.js';

export class DisputeResponse {
  @ApiProperty() id!: string;
  @ApiProperty() orderId!: string;
  @ApiProperty() openedBy!: string;
  @ApiProperty() reason!: string;
  @ApiProperty({ enum: DisputeStatus }) status!: DisputeStatus;
  @ApiProperty({ type: String, nullable: true }) moderatorId!: string | null;
  @ApiProperty({ type: String, nullable: true }) resolution!: string | null;
  @ApiProperty() chatId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class DisputePageResponse {
  @ApiProperty({ type: [DisputeResponse] }) items!: DisputeResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** A message sent through the dispute's routes: the Message, with the dispute's id beside chatId. */
export class DisputeMessageResponse extends MessageResponse {
  @ApiProperty() disputeId!: string;
}
