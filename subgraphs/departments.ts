/**
 * The catalogue of recognising departments (认定部门): the one list a department is added to.
 * Light on purpose — it imports only the departments' configurations (`<name>/department.ts`),
 * never their code, so the configuration, the gateway and the scripts can read it without
 * loading knex or the platform. Everything that enumerates departments derives from it: the
 * subgraph modules (catalog.ts), names and ports (layout.ts), the `Domain` and `ListKind`
 * enums and each department's SDL (kit/lists/sdl.ts, written by `npm run compose`), the
 * platform's domains, compose.yaml's services and the demo data.
 */
import { department as tax } from './tax/department.js';
import { department as market } from './market/department.js';
import { department as courts } from './courts/department.js';
import { department as safety } from './safety/department.js';
import { department as customs } from './customs/department.js';

/** In this order they start, compose and take their ports (layout.ts). */
export const departments = [tax, market, courts, safety, customs];

/** One value per department: `TAX`, `MARKET_SUPERVISION`, … */
export type Domain = (typeof departments)[number]['domain'];
