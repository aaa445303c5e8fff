import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsIn, IsString, Length } from 'class-validator';

export const MAX_SUBSCRIBE = 500;

export class UpdateStatusDto {
  @ApiProperty({ enum: ['online', 'away'] })
  @IsIn(['online', 'away'])
  status!: 'online' | 'away';
}

export class UserIdDto {
  @ApiProperty()
  @IsString()
  @Length(1, 128)
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
  @IsString({ each: true })
  @Length(1, 128, { each: true })
  userIds!: string[];
}

export class PresenceResponse {
  @ApiProperty() userId!: string;
  @ApiProperty({ enum: ['online', 'away', 'offline'] }) status!: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) lastSeen!: string | null;
}
