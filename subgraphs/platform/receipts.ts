/**
 * Proof of screening: a screening record as a receipt the agency takes away — a JWS
 * (ES256) over the codes, scenario, time, verdicts and the data version the screening saw,
 * signed with the hub's key. Anyone holding the published public key verifies it offline.
 *
 * The key comes from CREDITHUB_RECEIPT_KEY (a PKCS#8 PEM, the same for every platform
 * replica) or is generated once under DATA_DIR.
 */
import { loadSigningKeys, type SigningKeys } from '../kit/auth/signing-keys.js';

export const RECEIPT_TYPE = 'credithub-screening-receipt+jwt';

export type ReceiptKeys = SigningKeys;

export const loadReceiptKeys = (): Promise<ReceiptKeys> =>
  loadSigningKeys({ variable: 'CREDITHUB_RECEIPT_KEY', file: 'receipt-key.pem', typ: RECEIPT_TYPE });
