import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn } from 'class-validator';
import { IsUserId } from '../../../common/validation/is-user-id.decorator.js';
import { MAX_ID_LENGTH } from '../../../common/validation/is-uuid.decorator.js';

export const MAX_SUBSCRIBE = 500;

export class UpdateStatusDto {
  @ApiProperty({ enum: ['online', 'away'] })
  @IsIn(['online', 'away'])
  status!: 'online' | 'away';
}

export class UserIdDto {
  @ApiProperty({ minLength: 1, maxLength: MAX_ID_LENGTH })
  @IsUserId()
  userId!: string;
}

export class SubscribePresenceDto {
  @ApiProperty({
    type: [String],
    maxItems: MAX_SUBSCRIBE,
    description: 'A repeated id counts once',
  })
  // A set of users: a client may well send the union of several chats' members.
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value) ? [...new Set(value)] : value,
  )
  @IsArray()
  @ArrayMaxSize(MAX_SUBSCRIBE)
  @IsUserId({ each: true })
  userIds!: string[];
}

export class PresenceResponse {
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: ['online', 'away', 'offline'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeen!: string | null;
}
