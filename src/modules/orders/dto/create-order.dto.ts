import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsNumber, IsOptional, IsString, Length, Max, Min } from 'class-validator';
import { MaxDecimalPlaces } from '../../../common/validation/max-decimal-places.validator.js';
import { Trim } from '../../../common/validation/trim.decorator.js';

export const ORDER_TITLE_MAX = 200;
export const ORDER_DESCRIPTION_MAX = 4000;
export const ORDER_AMOUNT_MAX = 999_999_999_999.99;

export class CreateOrderDto {
  @ApiProperty({ description: 'The SPECIALIST who will perform the order' })
  @IsString()
  @Length(1, 128)
  performerId!: string;

  @ApiProperty({ maxLength: ORDER_TITLE_MAX })
  @Trim()
  @IsString()
  @Length(1, ORDER_TITLE_MAX)
  title!: string;

  @ApiPropertyOptional({ maxLength: ORDER_DESCRIPTION_MAX })
  @IsOptional()
  @Trim()
  @IsString()
  @Length(0, ORDER_DESCRIPTION_MAX)
  description?: string;

  @ApiPropertyOptional({ minimum: 0, maximum: ORDER_AMOUNT_MAX, description: 'Up to 2 decimals' })
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @MaxDecimalPlaces(2)
  @Min(0)
  @Max(ORDER_AMOUNT_MAX)
  amount?: number;
}
