import { CanActivate, Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';

/**
 * The dev-token endpoint exists only with AUTH_DEV_TOKENS=true. A guard, not a check in the
 * handler: guards run before the validation pipe, so a disabled endpoint answers 404 whatever
 * the body, as a missing route does, and never tells what it would have accepted.
 */
@Injectable()
export class DevTokensGuard implements CanActivate {
  constructor(private readonly config: AppConfig) {}

  canActivate(): boolean {
    if (!this.config.devTokensEnabled) throw new DomainException(ErrorCode.NotFound);
    return true;
  }
}
