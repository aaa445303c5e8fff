import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { ROLES } from '../../../common/auth/auth-user.js';

export const DEV_TOKEN_ROLES = [...ROLES, 'PERFORMER'] as const;

export class DevTokenDto {
  @ApiProperty({ example: 'user-1' })
  @IsString()
  @Length(1, 128)
  userId!: string;

  @ApiProperty({ example: 'Alice' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ enum: DEV_TOKEN_ROLES, description: 'PERFORMER is accepted as SPECIALIST' })
  @IsIn(DEV_TOKEN_ROLES)
  role!: (typeof DEV_TOKEN_ROLES)[number];

  @ApiPropertyOptional({
    example: 'alice@example.com',
    description: 'Where EMAIL notifications go',
  })
  @IsOptional()
  @IsEmail()
  email?: string;
}

export class TokenResponseDto {
  @ApiProperty()
  token!: string;
}
