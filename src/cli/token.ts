import 'reflect-metadata';
import { loadDotEnv } from '../config/dot-env.js';
import { JwtService } from '@nestjs/jwt';
import { AppConfig } from '../config/app-config.js';
import { validateEnv } from '../config/env.schema.js';
import { claimsToUser } from '../modules/auth/claims.js';
import { TokenService } from '../modules/auth/token.service.js';

loadDotEnv();

// npm run token -- <userId> <role> [name] [ttlSeconds]: prints a token the server accepts,
// signed with the same secret (JWT_SECRET, or the development secret kept in DATA_DIR).
const [userId, role, name, ttl] = process.argv.slice(2);
if (!userId || !role) {
  console.error(
    'usage: npm run token -- <userId> <CLIENT|SPECIALIST|MODERATOR|ADMIN> [name] [ttlSeconds]',
  );
  process.exit(2);
}
try {
  const config = AppConfig.fromEnv(validateEnv(process.env));
  const tokens = new TokenService(new JwtService(), config);
  const user = claimsToUser({ sub: userId, name: name ?? userId, role, exp: 0 });
  process.stdout.write(`${tokens.sign(user, ttl ? Number(ttl) : undefined)}\n`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
