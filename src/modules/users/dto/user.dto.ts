import { ApiProperty } from '@nestjs/swagger';
import { Role } from '../../../common/auth/auth-user.js';

export class UserDto {
  @ApiProperty()
  id!: string;

  @ApiProperty()
  name!: string;

  @ApiProperty({ enum: Role })
  role!: Role;
}
