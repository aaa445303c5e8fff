import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';
import { IsUuid } from '../../../common/validation/is-uuid.decorator.js';
import { Trim } from '../../../common/validation/trim.decorator.js';
import { ChatsQueryDto } from '../../chat/dto/rest.dto.js';
import { DisputeStatus } from '../entities/dispute.entity.js';

export const DISPUTE_TEXT_MAX = 2000;
const CLOSED = [DisputeStatus.Resolved, DisputeStatus.Rejected];

export class OpenDisputeDto {
  @ApiProperty()
  @IsUuid()
  orderId!: string;

  @ApiProperty({ maxLength: DISPUTE_TEXT_MAX })
  @Trim()
  @IsString()
  @Length(1, DISPUTE_TEXT_MAX)
  reason!: string;
}

export class AssignDisputeDto {
  @ApiPropertyOptional({ description: 'ADMIN only: the moderator to assign; default the caller' })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  moderatorId?: string;
}

export class DisputeStatusDto {
  @ApiProperty({
    enum: DisputeStatus,
    description:
      'IN_REVIEW takes the dispute (as assign does); RESOLVED and REJECTED close it; OPEN is no move (CONFLICT)',
  })
  @IsIn(Object.values(DisputeStatus))
  status!: DisputeStatus;

  @ApiPropertyOptional({ maxLength: DISPUTE_TEXT_MAX, description: 'Required to close' })
  @ValidateIf(
    (dto: DisputeStatusDto) => CLOSED.includes(dto.status) || dto.resolution !== undefined,
  )
  @Trim()
  @IsString()
  @Length(1, DISPUTE_TEXT_MAX)
  resolution?: string;
}

export class DisputesQueryDto extends ChatsQueryDto {
  @ApiPropertyOptional({ enum: DisputeStatus, description: 'Only disputes in this status' })
  @IsOptional()
  @IsIn(Object.values(DisputeStatus))
  status?: DisputeStatus;
}
