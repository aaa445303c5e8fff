import { ApiProperty } from '@nestjs/swagger';
import { MessageResponse } from '../../chat/dto/responses.dto.js';
import { OrderStatus } from '../entities/order.entity.js';

export class OrderResponse {
  @ApiProperty() id!: string;
  @ApiProperty() clientId!: string;
  @ApiProperty() performerId!: string;
  @ApiProperty() title!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: Number, nullable: true }) amount!: number | null;
  @ApiProperty({ enum: OrderStatus }) status!: OrderStatus;
  @ApiProperty() chatId!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class OrderPageResponse {
  @ApiProperty({ type: [OrderResponse] }) items!: OrderResponse[];
  @ApiProperty() hasMore!: boolean;
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

/** A message sent through the order's routes: the Message, with the order's id beside chatId. */
export class OrderMessageResponse extends MessageResponse {
  @ApiProperty() orderId!: string;
}
