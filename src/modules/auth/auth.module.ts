import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtModule } from '@nestjs/jwt';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard } from '../../common/http/jwt-auth.guard.js';
import { RestRateGuard } from '../../common/limits/rest-rate.guard.js';
import { RolesGuard } from '../../common/http/roles.guard.js';
import { WsJwtGuard } from '../../common/ws/ws-jwt.guard.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { JwtStrategy } from './jwt.strategy.js';
import { SocketAuthenticator } from './socket-authenticator.js';
import { TokenService } from './token.service.js';

@Global()
@Module({
  imports: [PassportModule, JwtModule.register({}), UsersModule],
  controllers: [AuthController],
  providers: [
    TokenService,
    JwtStrategy,
    SocketAuthenticator,
    WsJwtGuard,
    // Order matters: authentication, then the REST rate (per user, so after it), then roles.
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: RestRateGuard },
    { provide: APP_GUARD, useClass: RolesGuard },
  ],
  exports: [TokenService, SocketAuthenticator, WsJwtGuard],
})
export class AuthModule {}
