/**
 * npm run verify-register -- --checkpoint FILE --records EXPORT.jsonl --public-key KEY.pem
 *
 * The auditor's check of the access register, with no hub, no database and no secret: the
 * checkpoint's signature with the hub's published public key (accessRegisterCheckpointKey),
 * then every chain of the export (npm run export-register) from its first record, reaching
 * the checkpoint's count with the checkpoint's hash there. Exit 0: valid; 1: tampered (or a
 * forged checkpoint); 2: wrong arguments or unreadable files. Every error says its code.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { CommandError, runMain } from './cli.js';
import { publicKeyVerifier } from '../subgraphs/kit/auth/signing-keys.js';
import { checkpointJwsLines, CHECKPOINT_TYPE, exportedRecordOf, newestCheckpoint, verifyExport, type ChainedRecord, type Checkpoint } from '../subgraphs/platform/access-register-integrity.js';

const USAGE = `Usage: npm run verify-register -- --checkpoint FILE --records EXPORT.jsonl --public-key KEY.pem

Verifies an export of the access register against a signed checkpoint, offline.

  --checkpoint FILE   the checkpoint file the auditor keeps (CREDITHUB_REGISTER_CHECKPOINT_FILE:
                      JSON lines, every one verified, the one over the most records used) or a file holding one checkpoint JWS
  --records FILE      the register as JSON lines (npm run export-register -- --out FILE)
  --public-key FILE   the hub's checkpoint public key as PEM ({ accessRegisterCheckpointKey { pem } })

Exit status: 0 valid, 1 tampered or forged, 2 wrong arguments or unreadable files.`;

/** A refusal with its stable code: `verify-register: CODE: what is wrong`. */
class Refusal extends CommandError {
  constructor(readonly code: string, message: string, exitCode = 2) {
    super(`${code}: ${message}`, exitCode);
  }
}

function read(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Refusal('FILE_UNREADABLE', `${what} ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

async function checkpointFrom(file: string, publicKeyFile: string): Promise<Checkpoint> {
  const text = read(file, 'the checkpoint file');
  try {
    if (checkpointJwsLines(text).length === 0) throw new Refusal('CHECKPOINT_UNREADABLE', `the checkpoint file ${file} is empty`);
  } catch (error) {
    if (error instanceof Refusal) throw error;
    throw new Refusal('CHECKPOINT_UNREADABLE', `${file}: ${(error as Error).message}`);
  }
  let verify: (jws: string) => Promise<Record<string, unknown>>;
  try {
    verify = await publicKeyVerifier(read(publicKeyFile, 'the public key'), CHECKPOINT_TYPE);
  } catch (error) {
    if (error instanceof Refusal) throw error;
    throw new Refusal('PUBLIC_KEY_UNREADABLE', `${publicKeyFile} is not an ES256 public key in PEM (SPKI): take the "pem" of accessRegisterCheckpointKey`);
  }
  try {
    return (await newestCheckpoint(text, verify))!.claims;
  } catch (error) {
    throw new Refusal('CHECKPOINT_FORGED', `${file}: ${(error as Error).message}: a checkpoint was changed or forged, or the key is another hub's`, 1);
  }
}

function recordsFrom(file: string): ChainedRecord[] {
  const records: ChainedRecord[] = [];
  read(file, 'the records').split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Refusal('RECORDS_MALFORMED', `${file} line ${i + 1} is not JSON: the export has one record per line (npm run export-register)`);
    }
    const record = exportedRecordOf(parsed);
    if (typeof record === 'string') throw new Refusal('RECORDS_MALFORMED', `${file} line ${i + 1} is not a register record (${record})`);
    records.push(record);
  });
  return records;
}

async function main(): Promise<number> {
  let values: { checkpoint?: string; records?: string; 'public-key'?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { checkpoint: { type: 'string' }, records: { type: 'string' }, 'public-key': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new Refusal('USAGE', `${(error as Error).message}\n\n${USAGE}`);
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const missing = (['checkpoint', 'records', 'public-key'] as const).filter((option) => !values[option]);
  if (missing.length) throw new Refusal('USAGE', `missing ${missing.map((m) => `--${m}`).join(', ')}\n\n${USAGE}`);
  const checkpoint = await checkpointFrom(values.checkpoint!, values['public-key']!);
  const result = await verifyExport(recordsFrom(values.records!), checkpoint);
  const signed = checkpoint.chains.reduce((sum, chain) => sum + chain.records, 0);
  if (!result.valid) {
    console.log(`INVALID: ${result.problem}`);
    console.log(`(checked ${result.checkedRecords} records against the checkpoint signed at ${checkpoint.signedAt}, ${signed} records in ${checkpoint.chains.length} chains)`);
    return 1;
  }
  console.log(`VALID: ${result.checkedRecords} records; every chain reaches the checkpoint signed at ${checkpoint.signedAt} (${signed} records in ${checkpoint.chains.length} chains) unchanged.`);
  if (result.recordsAfterCheckpoint) {
    console.log(`${result.recordsAfterCheckpoint} records after the checkpoint are chained; their MACs need the register key (verifyAccessRegister on the hub), or a later checkpoint.`);
  }
  return 0;
}

// Anything else (a bug): `verify-register: <what>`, exit code 2 — never a result.
runMain('verify-register', main, 2);
