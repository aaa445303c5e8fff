import { Controller, Get, Module } from '@nestjs/common';
import { SubscribeMessage, MessageBody } from '@nestjs/websockets';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { Role, type AuthUser } from '../../src/common/auth/auth-user.js';
import { DomainException } from '../../src/common/errors/domain.exception.js';
import { ErrorCode } from '../../src/common/errors/error-code.js';
import { Roles } from '../../src/common/http/roles.decorator.js';
import { RealtimeGateway } from '../../src/common/ws/realtime-gateway.decorator.js';
import { WsUser } from '../../src/common/ws/ws-user.decorator.js';

/**
 * Test-only handlers that exercise the shared socket and REST conventions (ack envelope,
 * validation, error mapping, role checks) independently of any feature module.
 */
export const PROBE_NAMESPACE = '/probe';

class Inner {
  @IsString()
  @Length(1, 10)
  label!: string;
}

export class EchoDto {
  @IsString()
  @Length(1, 20)
  text!: string;

  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;

  @IsOptional()
  @ValidateNested()
  @Type(() => Inner)
  inner?: Inner;

  /** Free-form data: whitelisting cannot see inside it, so only the pipe's own scan guards it. */
  @IsOptional()
  @IsObject()
  meta?: Record<string, unknown>;
}

@RealtimeGateway(PROBE_NAMESPACE)
export class ProbeGateway {
  @SubscribeMessage('echo')
  echo(
    @MessageBody() dto: EchoDto,
    @WsUser() user: AuthUser,
  ): { text: string; limit?: number; userId: string } {
    return { text: dto.text, limit: dto.limit, userId: user.id };
  }

  @SubscribeMessage('nothing')
  nothing(): void {
    return undefined;
  }

  @SubscribeMessage('conflict')
  conflict(): never {
    throw new DomainException(ErrorCode.Conflict, 'already there', { id: 'x' });
  }

  @SubscribeMessage('crash')
  crash(): never {
    throw new Error('SELECT secret FROM users WHERE password = 42 -- internal detail');
  }

  @SubscribeMessage('asyncCrash')
  async asyncCrash(): Promise<never> {
    await Promise.resolve();
    throw new TypeError("Cannot read properties of undefined (reading 'stack')");
  }
}

@Controller('probe')
export class ProbeController {
  @Get('admin')
  @Roles(Role.Admin)
  admin(): { ok: true } {
    return { ok: true };
  }

  @Get('crash')
  crash(): never {
    throw new Error('SELECT secret FROM users -- internal detail');
  }
}

@Module({ providers: [ProbeGateway], controllers: [ProbeController] })
export class ProbeModule {}
