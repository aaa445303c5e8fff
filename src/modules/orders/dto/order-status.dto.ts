import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { ChatsQueryDto } from '../../chat/dto/rest.dto.js';
import { OrderStatus } from '../entities/order.entity.js';

export class OrderStatusDto {
  @ApiProperty({ enum: OrderStatus })
  @IsIn(Object.values(OrderStatus))
  status!: OrderStatus;
}

export class OrdersQueryDto extends ChatsQueryDto {
  @ApiPropertyOptional({ enum: OrderStatus, description: 'Only orders in this status' })
  @IsOptional()
  @IsIn(Object.values(OrderStatus))
  status?: OrderStatus;
}
