export enum Role {
  Client = 'CLIENT',
  Specialist = 'SPECIALIST',
  Moderator = 'MODERATOR',
  Admin = 'ADMIN',
}

export const ROLES = Object.values(Role);

/** The caller, as proven by a verified token. */
export interface AuthUser {
  id: string;
  name: string;
  role: Role;
  /** Token expiry, seconds since the epoch. */
  exp: number;
  /** From the optional `email` claim: where EMAIL notifications go. */
  email?: string;
}
