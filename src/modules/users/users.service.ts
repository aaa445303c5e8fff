import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import type { AuthUser } from '../../common/auth/auth-user.js';
import { DomainException } from '../../common/errors/domain.exception.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { isUnavailableError } from '../../database/db-errors.js';
import { UserDto } from './dto/user.dto.js';
import { User } from './entities/user.entity.js';

const REMEMBERED_MAX = 10_000;

@Injectable()
export class UsersService {
  /**
   * Per user id, the token last written from (its expiry and claims), so a token seen before
   * costs no write. The expiry tells tokens apart, not name and role alone: another node may have
   * written other claims since, and a new token with this node's old ones must still be written.
   */
  private readonly remembered = new Map<string, { exp: number; claims: string }>();

  constructor(@InjectRepository(User) private readonly users: Repository<User>) {}

  /** Creates the user on first sight and refreshes name and role from each new token. */
  async remember(user: AuthUser): Promise<void> {
    const claims = `${user.name}\u0000${user.role}\u0000${user.email ?? ''}`;
    const known = this.remembered.get(user.id);
    if (known?.exp === user.exp && known.claims === claims) return;
    try {
      await this.write(user);
    } catch (error) {
      // The database away: a new token with the claims this node last wrote goes on (a refreshed
      // token must not log anyone out), at the risk of missing another node's newer write.
      if (isUnavailableError(error) && known?.claims === claims) return;
      throw error;
    }
    this.remembered.delete(user.id);
    this.remembered.set(user.id, { exp: user.exp, claims });
    if (this.remembered.size > REMEMBERED_MAX) {
      this.remembered.delete(this.remembered.keys().next().value as string);
    }
  }

  private async write(user: AuthUser): Promise<void> {
    // A token without an email claim leaves the address known from an earlier one.
    await this.users.query(
      `INSERT INTO users (id, name, role, email) VALUES ($1, $2, $3, $4)
       ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, role = EXCLUDED.role,
         email = COALESCE(EXCLUDED.email, users.email), updated_at = now()
       WHERE users.name IS DISTINCT FROM EXCLUDED.name OR users.role IS DISTINCT FROM EXCLUDED.role
         OR (EXCLUDED.email IS NOT NULL AND users.email IS DISTINCT FROM EXCLUDED.email)`,
      [user.id, user.name, user.role, user.email ?? null],
    );
  }

  async get(id: string): Promise<UserDto> {
    const user = await this.users.findOne({
      where: { id },
      select: { id: true, name: true, role: true },
    });
    if (!user) throw new DomainException(ErrorCode.NotFound);
    return { id: user.id, name: user.name, role: user.role };
  }
}
