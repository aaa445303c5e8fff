import { SetMetadata } from '@nestjs/common';
import type { Role } from '../auth/auth-user.js';

export const ROLES_KEY = 'auth:roles';

/** Restricts a REST route to callers with one of `roles` (checked by the global RolesGuard). */
export const Roles = (...roles: Role[]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);
