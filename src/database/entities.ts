import { User } from '../modules/users/entities/user.entity.js';

/** Every entity, for the application and for the TypeORM CLI (ormconfig.ts). */
export const ENTITIES = [User];
