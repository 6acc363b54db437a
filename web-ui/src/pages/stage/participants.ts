// Participants as the stage pages show them, whichever stage client
// reported them (the offline SFU's presence or the IVS SDK's events).

export type PublishState = 'NOT_PUBLISHED' | 'ATTEMPTING_PUBLISH' | 'PUBLISHED' | 'ERRORED';

export interface StageParticipant {
  id: string;
  userId: string;
  /** From the token's attributes (set by the token service). */
  username?: string;
  avatar?: string;
  avatarUrl?: string;
  role?: string;
  isLocal: boolean;
  canPublish: boolean;
  publishState: PublishState;
  audioMuted: boolean;
  videoStopped: boolean;
  /** The media received from (or, for the local participant, sent by) it. */
  stream: MediaStream | null;
}

/** The name to show: the username, else "Guest" for anonymous viewers. */
export function displayName(p: Pick<StageParticipant, 'username' | 'userId' | 'isLocal'>): string {
  const name = p.username || (p.userId.startsWith('anonymous-') ? 'Guest' : p.userId || 'Participant');
  return p.isLocal ? `${name} (you)` : name;
}

export const isPublishing = (p: Pick<StageParticipant, 'publishState'>) =>
  p.publishState === 'PUBLISHED' || p.publishState === 'ATTEMPTING_PUBLISH';

/**
 * The tiles of the grid: everyone publishing (or trying to), plus the local
 * participant when they may publish (their own preview). Order: the host,
 * then the local participant, then by who published first (the input order).
 */
export function gridParticipants(all: StageParticipant[]): StageParticipant[] {
  const tiles = all.filter((p) => isPublishing(p) || (p.isLocal && p.canPublish));
  const rank = (p: StageParticipant) => (p.role === 'host' ? 0 : p.isLocal ? 1 : 2);
  return tiles
    .map((p, i) => ({ p, i }))
    .sort((a, b) => rank(a.p) - rank(b.p) || a.i - b.i)
    .map(({ p }) => p);
}

/** How many are watching without publishing (for "N watching"). */
export const viewerCount = (all: StageParticipant[]) => all.filter((p) => !isPublishing(p) && !(p.isLocal && p.canPublish)).length;
