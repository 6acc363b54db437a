import type { StageClient, StageClientKind } from './types';

/** The configuration keys that choose the stage client (see docs/local.md). */
export interface StageClientConfig {
  offline: boolean;
  /** "whip" (the offline SFU) or "ivs" (IVS Real-Time); defaults from `offline`. */
  stageClient?: StageClientKind;
  /** The offline SFU's base URL. */
  stageSfuUrl?: string;
}

export const stageClientKindFor = (cfg: StageClientConfig): StageClientKind =>
  cfg.stageClient ?? (cfg.offline ? 'whip' : 'ivs');

/**
 * Makes the stage client for this deployment and a participant token. Each
 * implementation is its own chunk; the cloud one loads the Web Broadcast SDK.
 * Throws StageTokenError when the token cannot be read.
 */
export async function createStageClient(cfg: StageClientConfig, token: string): Promise<StageClient> {
  if (stageClientKindFor(cfg) === 'whip') {
    const { WhipStageClient } = await import('./whipClient');
    return new WhipStageClient(token, cfg.stageSfuUrl);
  }
  const { IvsStageClient, loadIvsSdk } = await import('./ivsClient');
  return new IvsStageClient(token, await loadIvsSdk());
}

export * from './types';
export { decodeStageToken, isTokenExpired, StageTokenError, type StageTokenInfo } from './token';
