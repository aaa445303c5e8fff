import type { Role } from './auth-user.js';

/** Who acts, and (opaquely) which connection the request came from, to spare it its own echo. */
export interface Actor {
  id: string;
  name: string;
  role: Role;
  origin?: string;
}
