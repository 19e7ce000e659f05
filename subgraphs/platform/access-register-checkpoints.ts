/**
 * Signed checkpoints of the access register: every chain's record count, last hash and keyed
 * start at one time, signed with CREDITHUB_REGISTER_SIGNING_KEY (ES256) and published where
 * the database's owner cannot rewrite them — appended as a JSON line to
 * CREDITHUB_REGISTER_CHECKPOINT_FILE (the copy an auditor keeps) and, with NATS_URL, on the
 * subject `<NATS_PREFIX>.register.checkpoints`. They are kept in a table too, for listing;
 * verification trusts only their signature.
 *
 * A checkpoint is signed only over a register that verifies since the checkpoint before it
 * (the new records' hashes and MACs, the heads' MACs), so a tampered register is never
 * vouched for; only the records since then are read.
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Knex } from 'knex';
import type { Clock } from '../kit/dates.js';
import { badInput, ErrorCode, typedError } from '../kit/errors.js';
import { loadSigningKeys, type SigningKeys } from '../kit/auth/signing-keys.js';
import { natsPrefix, sharedNatsLink } from '../kit/events/nats.js';
import { configuration } from '../kit/config/index.js';
import { checkpointOf, CHECKPOINT_TYPE, newestCheckpoint, type Checkpoint } from './access-register-integrity.js';
import { accessRegisterCheckpointsTable } from './access-register-keys.js';
import type { AccessRegister } from './access-register.js';
import type { CheckpointSource } from './__generated__/resolvers-types.js';

export const loadCheckpointKeys = (): Promise<SigningKeys> =>
  loadSigningKeys({ variable: 'CREDITHUB_REGISTER_SIGNING_KEY', file: 'register-signing-key.pem', typ: CHECKPOINT_TYPE });

/** A checkpoint as it is listed, written to the file and published: the JWS is what counts. */
export interface PublishedCheckpoint {
  signedAt: string;
  records: number;
  checkpoint: string;
}

/** Where the checkpoint a verification trusted came from. */
export type { CheckpointSource };

export interface TrustedCheckpoint extends PublishedCheckpoint {
  claims: Checkpoint;
  source: CheckpointSource;
}

export const checkpointSubject = (env?: NodeJS.ProcessEnv) => `${natsPrefix(env)}.register.checkpoints`;

/** The newest checkpoint the hub holds (file or table) is not its key's, or not a checkpoint at all. */
export class ForgedCheckpoint extends Error {}

export class RegisterCheckpoints {
  constructor(
    private readonly db: Knex,
    private readonly clock: Clock,
    private readonly register: AccessRegister,
    readonly keys: SigningKeys,
    private readonly file = configuration().CREDITHUB_REGISTER_CHECKPOINT_FILE || undefined,
  ) {}

  /**
   * Signs the register's state now and publishes it, after checking the records since the last
   * trusted checkpoint; REGISTER_TAMPERED (and nothing signed) if they do not verify.
   */
  async sign(): Promise<PublishedCheckpoint> {
    // A forged newest checkpoint is no base: then everything is checked from the start.
    const previous = await this.trusted().catch((error) => {
      if (error instanceof ForgedCheckpoint) return null;
      throw error;
    });
    const { problem, heads } = await this.register.verify(previous?.claims, { onlySinceCheckpoint: true });
    if (problem) {
      throw typedError(ErrorCode.REGISTER_TAMPERED, `the access register does not verify since the checkpoint of ${previous?.signedAt ?? 'its start'}: ${problem}. No checkpoint was signed; run verifyAccessRegister and compare with the auditor's checkpoint file`);
    }
    const claims: Checkpoint = {
      signedAt: this.clock().toISOString(),
      chains: heads.map(({ chain, records, lastHash, keyedFrom }) => ({ chain, records, lastHash, keyedFrom })),
    };
    const published: PublishedCheckpoint = {
      signedAt: claims.signedAt,
      records: claims.chains.reduce((sum, chain) => sum + chain.records, 0),
      checkpoint: await this.keys.sign({ ...claims }, 'access-register'),
    };
    await this.db(accessRegisterCheckpointsTable).insert({ signed_at: published.signedAt, records: published.records, checkpoint: published.checkpoint });
    if (this.file) appendFileSync(this.file, `${JSON.stringify(published)}\n`);
    sharedNatsLink()?.current()?.publish(checkpointSubject(), JSON.stringify(published));
    return published;
  }

  /** The worker's run: a new checkpoint when the register grew since the newest stored one. */
  async signIfChanged(): Promise<number> {
    const [newest] = await this.list(1);
    const records = (await this.register.heads()).reduce((sum, head) => sum + head.records, 0);
    if (newest && newest.records === records) return 0;
    await this.sign();
    return 1;
  }

  /** Stored checkpoints, newest first. */
  async list(first: number): Promise<PublishedCheckpoint[]> {
    const rows = await this.db(accessRegisterCheckpointsTable).orderBy('id', 'desc').limit(first);
    return rows.map((row: any) => ({ signedAt: row.signed_at, records: Number(row.records), checkpoint: row.checkpoint }));
  }

  /**
   * The checkpoint to verify against, its signature checked: the one `given`, else the newest in
   * the checkpoint file, else the newest stored; null if there is none. A given checkpoint that
   * does not verify is BAD_USER_INPUT; a stored or filed one that does not, a ForgedCheckpoint.
   */
  async trusted(given?: string | null): Promise<TrustedCheckpoint | null> {
    if (given != null) {
      try {
        return await this.verified(given.trim(), 'GIVEN');
      } catch (error) {
        throw badInput(`checkpoint: not a checkpoint signed by this hub's register key (${(error as Error).message}); pass the "checkpoint" JWS of a line of the checkpoint file`, { argument: 'checkpoint' });
      }
    }
    if (this.file && existsSync(this.file)) {
      const text = readFileSync(this.file, 'utf8');
      const newest = await this.held(() => newestCheckpoint(text, (jws) => this.keys.verify(jws)), `the checkpoint file ${this.file}`);
      if (newest) return this.verified(newest.jws, 'FILE');
    }
    const [stored] = await this.list(1);
    return stored ? this.held(() => this.verified(stored.checkpoint, 'DATABASE'), 'the newest stored checkpoint') : null;
  }

  /** What `read` gives, its failure a ForgedCheckpoint naming `what`. */
  private async held<T>(read: () => T | Promise<T>, what: string): Promise<T> {
    try {
      return await read();
    } catch (error) {
      throw new ForgedCheckpoint(`${what}: ${(error as Error).message}`);
    }
  }

  private async verified(jws: string, source: CheckpointSource): Promise<TrustedCheckpoint> {
    const claims = checkpointOf(await this.keys.verify(jws));
    return { signedAt: claims.signedAt, records: claims.chains.reduce((sum, chain) => sum + chain.records, 0), checkpoint: jws, claims, source };
  }
}
