import { dropTemplate } from './db.js';

/** Mocha root hooks: clean up what the support helpers created once per process. */
export const mochaHooks = {
  async afterAll() {
    await dropTemplate();
  },
};
