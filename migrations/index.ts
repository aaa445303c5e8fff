import { CreateUsers1763769600000 } from './1763769600000-CreateUsers.js';
import { CreateChats1795308096589 } from './1795308096589-CreateChats.js';
import { CreateFiles1795309230333 } from './1795309230333-CreateFiles.js';

/**
 * Every migration, oldest first. Listed explicitly rather than globbed so the same list loads
 * under Node, the TypeORM CLI and Jest; add each generated migration here.
 */
export const MIGRATIONS = [
  CreateUsers1763769600000,
  CreateChats1795308096589,
  CreateFiles1795309230333,
];
