import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { FilesService } from './files.service.js';

/**
 * Refuses an upload from a user at FILE_UNSENT_PER_USER before its body is read (Nest runs guards
 * before interceptors, multer's among them): such a user cannot make the node receive and drop
 * file after file. Runs after authentication, which sets the user.
 */
@Injectable()
export class UnsentUploadsGuard implements CanActivate {
  constructor(private readonly files: FilesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    if (user) await this.files.assertRoom(user.id);
    return true;
  }
}
