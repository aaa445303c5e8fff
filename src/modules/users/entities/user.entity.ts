import { Check, Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';
import { Role } from '../../../common/auth/auth-user.js';

/** A user as last described by their token's claims; ids come from the identity provider. */
@Entity('users')
@Check('CHK_users_role', `"role" IN ('CLIENT', 'SPECIALIST', 'MODERATOR', 'ADMIN')`)
export class User {
  @PrimaryColumn({ type: 'text' })
  id!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'text' })
  role!: Role;

  /** From the token's optional `email` claim; where EMAIL notifications go. */
  @Column({ type: 'text', nullable: true })
  email!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
