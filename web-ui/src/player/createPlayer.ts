import type { Player, PlayerKind } from './types';

/**
 * Makes the player for this deployment: the IVS player in the cloud,
 * hls.js offline (the IVS player plays only IVS content). Each is a
 * separate chunk, loaded only by a page that plays video.
 */
export async function createPlayer(kind: PlayerKind, video: HTMLVideoElement): Promise<Player> {
  if (kind === 'ivs') {
    const { IvsPlayer } = await import('./ivsPlayer');
    return new IvsPlayer(video);
  }
  const { HlsPlayer } = await import('./hlsPlayer');
  return new HlsPlayer(video);
}

/** The config's playerKind when it names one, else hls.js offline and the IVS player in the cloud. */
export const playerKindFor = (cfg: { offline: boolean; playerKind?: PlayerKind }): PlayerKind =>
  cfg.playerKind ?? (cfg.offline ? 'hls' : 'ivs');
