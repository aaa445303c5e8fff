import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { FilesService } from './files.service.js';

/**
 * Refuses an upload from a user at FILE_UNSENT_PER_USER before its body is parsed (Nest runs
 * guards before interceptors, multer's among them): such a user cannot make the node write and
 * delete file after file. Runs after the global JWT guard, which sets the user.
 */
@Injectable()
export class UnsentUploadsGuard implements CanActivate {
  constructor(private readonly files: FilesService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const user = context.switchToHttp().getRequest<{ user?: AuthUser }>().user;
    // Never without a user (the route is not public); were it made so, nothing would be counted.
    if (!user) throw new DomainException(ErrorCode.Unauthorized);
    await this.files.assertRoom(user.id);
    return true;
  }
}
