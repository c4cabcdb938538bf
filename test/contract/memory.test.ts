import { createMemoryStore } from '../../src/store/engine-store.js';
import { storeContract } from './store-contract.js';

storeContract('memory', { open: async () => createMemoryStore() });
