import { Body, Controller, HttpCode, Post, UseGuards } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
  ApiTooManyRequestsResponse,
} from '@nestjs/swagger';
import { ErrorResponse } from '../../common/http/api-errors.decorator.js';
import { Public } from '../../common/http/public.decorator.js';
import { DevTokenDto, TokenResponseDto } from './dto/dev-token.dto.js';
import { claimsToUser } from './claims.js';
import { DevTokensGuard } from './dev-tokens.guard.js';
import { TokenService } from './token.service.js';
import { UsersService } from '../users/users.service.js';

@ApiTags('auth')
@Controller('auth')
export class AuthController {
  constructor(
    private readonly tokens: TokenService,
    private readonly users: UsersService,
  ) {}

  @Public()
  @Post('dev-token')
  @UseGuards(DevTokensGuard)
  @HttpCode(200)
  @ApiOperation({ summary: 'Issue a development token (only when AUTH_DEV_TOKENS=true)' })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({ description: 'VALIDATION_FAILED', type: ErrorResponse })
  @ApiNotFoundResponse({ description: 'NOT_FOUND: dev tokens are off', type: ErrorResponse })
  @ApiTooManyRequestsResponse({ description: 'RATE_LIMITED', type: ErrorResponse })
  async devToken(@Body() dto: DevTokenDto): Promise<TokenResponseDto> {
    const user = claimsToUser({
      sub: dto.userId,
      name: dto.name,
      role: dto.role,
      email: dto.email,
      exp: 0,
    });
    // Known from now on, so others can name them (an order's performer) before they connect.
    await this.users.remember(user);
    return { token: this.tokens.sign(user) };
  }
}
