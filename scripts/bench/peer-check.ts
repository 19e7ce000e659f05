/**
 * The peer gateway (scripts/bench/peer.ts) started on the hub's running subgraphs, warmed up,
 * and checked: both gateways must answer the same data for (a), (b) and (c).
 */
import { readFileSync } from 'node:fs';
import { SUPERGRAPH_FILE } from '../../gateway/supergraph.js';
import { PURPOSE, log } from './context.js';
import { startPeerGateway, type PeerGateway } from './peer.js';
import { canonical, post } from './requests.js';
import type { SuiteTarget } from './suite-setup.js';
import { BATCH, PROFILE, SCREEN } from './workload.js';

export interface DataCheck {
  profiles: number;
  profilesEqual: number;
  batchEqual: boolean;
  hubBatchErrors: number;
  peerBatchErrors: number;
  screenEqual: boolean;
}

export async function startPeer(t: SuiteTarget): Promise<PeerGateway> {
  log('starting the peer gateway (@graphql-hive/gateway) on the same subgraphs…');
  const subgraphUrls = Object.fromEntries([...t.hub.subgraphs].map(([name, s]) => [name, s.url]));
  const peer = await startPeerGateway({ supergraph: readFileSync(SUPERGRAPH_FILE, 'utf8'), subgraphUrls, principal: t.principal, purpose: PURPOSE });
  for (let i = 0; i < 60; i++) await post(peer.url, {}, PROFILE, { code: t.profileCodes[i % t.profileCodes.length] });
  for (let i = 0; i < 4; i++) await post(peer.url, {}, BATCH, { codes: t.batches[i] });
  for (let i = 0; i < 4; i++) await post(peer.url, {}, SCREEN, { codes: t.batches[i] });
  return peer;
}

/** The same data from both gateways. */
export async function compareAnswers(t: SuiteTarget, peer: PeerGateway): Promise<DataCheck> {
  const hubUrl = t.hub.gateway.url;
  const withPurpose = t.headers.purpose;
  let profilesEqual = 0;
  const profilesChecked = 30;
  for (let i = 0; i < profilesChecked; i++) {
    const code = t.profileCodes[(i * 37) % t.profileCodes.length];
    const [a, b] = await Promise.all([post(hubUrl, withPurpose, PROFILE, { code }), post(peer.url, {}, PROFILE, { code })]);
    if (canonical(a.data) === canonical(b.data)) profilesEqual++;
  }
  const codes = t.batches[5];
  const [hubBatch, peerBatch] = await Promise.all([post(hubUrl, withPurpose, BATCH, { codes }), post(peer.url, {}, BATCH, { codes })]);
  // Each screening is a new record (its own id): compare what it answered per code.
  const [hubScreen, peerScreen] = await Promise.all([post(hubUrl, withPurpose, SCREEN, { codes }), post(peer.url, {}, SCREEN, { codes })]);
  const dataCheck = {
    profiles: profilesChecked,
    profilesEqual,
    batchEqual: canonical(hubBatch.data) === canonical(peerBatch.data),
    hubBatchErrors: (hubBatch.errors ?? []).length,
    peerBatchErrors: (peerBatch.errors ?? []).length,
    screenEqual: !hubScreen.errors && !peerScreen.errors && canonical(hubScreen.data?.screen?.items) === canonical(peerScreen.data?.screen?.items),
  };
  log(`  same data: ${profilesEqual}/${profilesChecked} profiles, batch ${dataCheck.batchEqual ? 'equal' : 'DIFFERENT'} (errors: hub ${dataCheck.hubBatchErrors}, peer ${dataCheck.peerBatchErrors}), screening items ${dataCheck.screenEqual ? 'equal' : 'DIFFERENT'}`);
  return dataCheck;
}
