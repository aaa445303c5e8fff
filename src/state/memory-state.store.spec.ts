import { MemoryStateStore } from './memory-state.store.js';
import { describeStateStore } from './state-store.contract.js';

describeStateStore('memory', () => new MemoryStateStore());
