import { SubscribeMessage } from '@nestjs/websockets';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { RealtimeGateway } from '../../common/ws/realtime-gateway.decorator.js';
import { WsUser } from '../../common/ws/ws-user.decorator.js';
import { ClientEvent, Namespace } from '../../realtime/events.js';
import { UserDto } from '../users/dto/user.dto.js';
import { UsersService } from '../users/users.service.js';

@RealtimeGateway(Namespace.Chat)
export class ChatGateway {
  constructor(private readonly users: UsersService) {}

  /** The caller as the server knows them: a cheap way for a client to check its session. */
  @SubscribeMessage(ClientEvent.WhoAmI)
  whoAmI(@WsUser() user: AuthUser): Promise<UserDto> {
    return this.users.get(user.id);
  }
}
