/** The embedded default's demo data. */
import { integer } from './variable.js';

export const demo = {
  DEMO_SUBJECTS: integer({ min: 1, max: 10_000_000, default: 2000, doc: 'demo size on first `npm start`' }),
};
