/** GraphQL of the access register, and the route the gateway appends to it through. */
import type { Route } from '../kit/http.js';
import { authenticateForwarded } from '../kit/auth/context.js';
import { pageSize } from '../kit/cursor.js';
import { requireValidCode } from '../kit/lists/resolvers.js';
import type { SubgraphContext } from '../kit/server.js';
import type { AccessRegister, RegisterVerification } from './access-register.js';
import { publishedKey } from '../kit/auth/signing-keys.js';
import { ForgedCheckpoint, type RegisterCheckpoints, type TrustedCheckpoint } from './access-register-checkpoints.js';
import type { Resolvers } from './__generated__/resolvers-types.js';

/** What `verifyAccessRegister` answers: the verification, and the checkpoint it trusted. */
export type VerificationParent = RegisterVerification & { checkpoint: TrustedCheckpoint | null };

export function accessRegisterResolvers(register: AccessRegister, checkpoints: RegisterCheckpoints): Resolvers<SubgraphContext> {
  return {
    Query: {
      accessRegister(_, args) {
        const filter = { ...args.filter };
        if (filter.subjectCode) filter.subjectCode = requireValidCode(filter.subjectCode, 'filter.subjectCode');
        return register.page(filter, pageSize(args.first, 100), args.after);
      },
      async verifyAccessRegister(_, args) {
        let checkpoint: TrustedCheckpoint | null;
        try {
          checkpoint = await checkpoints.trusted(args.checkpoint);
        } catch (error) {
          if (!(error instanceof ForgedCheckpoint)) throw error;
          // The newest checkpoint the hub holds is not its key's: someone wrote it.
          return { valid: false, checkedRecords: 0, firstInvalidSeq: null, checkpoint: null, problem: `the newest checkpoint is forged: ${error.message}` };
        }
        const { heads: _heads, ...result } = await register.verify(checkpoint?.claims);
        return { ...result, checkpoint };
      },
      accessRegisterCheckpoints: (_, args) => checkpoints.list(pageSize(args.first, 100)),
      accessRegisterCheckpointKey: () => publishedKey(checkpoints.keys),
    },
    Mutation: {
      signAccessRegisterCheckpoint: () => checkpoints.sign(),
    },
  };
}

export { ACCESS_REGISTER_ROUTE } from '../kit/internal-routes.js';
import { ACCESS_REGISTER_ROUTE } from '../kit/internal-routes.js';

/**
 * POST {reads: [{creditCode, field}]} with the identity the gateway forwards for the
 * request it is answering. Not GraphQL: it is no part of the public API.
 */
export function accessRegisterRoute(register: AccessRegister, secret: Uint8Array): Route {
  return async (req, res) => {
    const reply = (status: number, body: object) => {
      res.statusCode = status;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify(body));
    };
    if (req.method !== 'POST') return reply(405, { error: 'POST only' });
    const auth = await authenticateForwarded(req, secret);
    if (!auth.principal) return reply(401, { error: auth.authProblem });
    if (!auth.purpose) return reply(400, { error: 'a read of personal data must come with its purpose of use' });
    let body: any;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk);
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return reply(400, { error: 'the body must be JSON: {"reads": [{"creditCode": "...", "field": "..."}]}' });
    }
    const reads = Array.isArray(body?.reads) ? body.reads.filter((r: any) => typeof r?.creditCode === 'string' && typeof r?.field === 'string') : [];
    const recorded = await register.append(auth.principal, auth.purpose, auth.requestId ?? 'unknown', reads);
    reply(200, { recorded });
  };
}
