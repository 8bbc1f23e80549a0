/** The store contract on the pure in-memory store (no data directory). */
import { createMemoryStore } from '../../src/store';
import { describeStoreContract } from './contract';

describeStoreContract('memory', {
  open: async () => createMemoryStore(),
});
