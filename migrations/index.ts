import { CreateUsers1763769600000 } from './1763769600000-CreateUsers.js';
import { CreateChats1795310572419 } from './1795310572419-CreateChats.js';
import { CreateOrdersAndDisputes1795314362410 } from './1795314362410-CreateOrdersAndDisputes.js';
import { CreateNotifications1795315294432 } from './1795315294432-CreateNotifications.js';
import { TimeOrderedIds1796492340339 } from './1796492340339-TimeOrderedIds.js';
import { IndexForeignKeys1796649257704 } from './1796649257704-IndexForeignKeys.js';
import { UnreadCountsByIndex1796657173133 } from './1796657173133-UnreadCountsByIndex.js';
import { FileLifecycle1796740000000 } from './1796740000000-FileLifecycle.js';

/**
 * Every migration, oldest first. Listed explicitly rather than globbed so the same list loads
 * under Node, the TypeORM CLI and Jest; add each generated migration here.
 */
export const MIGRATIONS = [
  CreateUsers1763769600000,
  CreateChats1795310572419,
  CreateOrdersAndDisputes1795314362410,
  CreateNotifications1795315294432,
  TimeOrderedIds1796492340339,
  IndexForeignKeys1796649257704,
  UnreadCountsByIndex1796657173133,
  FileLifecycle1796740000000,
];
