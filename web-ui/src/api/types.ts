// Shapes of docs/api.md. Only fields the app reads are typed strictly.

export const PROFILE_COLORS = ['blue', 'green', 'lavender', 'purple', 'salmon', 'turquoise', 'yellow'] as const;
export type ProfileColor = (typeof PROFILE_COLORS)[number];

export const AVATARS = [
  'bear', 'bird', 'bird2', 'dog', 'dog2', 'dog3', 'giraffe',
  'hedgehog', 'hippo', 'horse', 'ibex', 'jellyfish', 'sheep', 'tiger',
] as const;
export type AvatarName = (typeof AVATARS)[number];

export const BANNERS = ['aurora', 'dusk', 'ember', 'forest', 'ocean', 'slate'] as const;

export type AssetType = 'avatar' | 'banner';
export interface ChannelAssetUrls {
  avatar?: string;
  banner?: string;
}

export interface MyChannel {
  avatar: string;
  banner?: string;
  color: string;
  username: string;
  ingestEndpoint?: string;
  ingestServerUrl?: string;
  playbackUrl?: string;
  streamKeyValue?: string;
  channelAssetUrls?: ChannelAssetUrls;
  trackingId?: string;
  channelResourceId?: string;
  channelId?: string;
  stageId?: string | null;
  channelConfiguration?: { type?: string };
  /** SRT ingest, where the channel has it. */
  srt?: { endpoint?: string; passphrase?: string };
  /** The owner's blocked chat words (the room's review handler denies messages holding one). */
  blockedWords?: string[];
}

export interface ChannelSummary {
  avatar: string;
  color: string;
  username: string;
  channelAssetUrls?: ChannelAssetUrls;
  banner?: string;
  isLive?: boolean;
  stageId?: string;
}

export interface ChannelList {
  channels: ChannelSummary[];
  maxResults: number;
}

export interface ChannelPage extends ChannelSummary {
  channelArn?: string;
  playbackUrl?: string;
  ingestConfiguration?: { video?: { videoWidth?: number; videoHeight?: number } };
  isViewerBanned: boolean;
  isChannelBanned: boolean;
  isViewerFollowing: boolean;
}

export interface BannedUser extends ChannelSummary {
  channelArn?: string;
  bannedAt: string;
}

export interface ChatToken {
  token: string;
  sessionExpirationTime: string;
  tokenExpirationTime: string;
  capabilities: string[];
}

export interface Preview {
  previewUrl: string;
  uploadDateTime: string;
}
export interface PreferencesUpdate {
  color?: { name: string };
  avatar?: { name: string } | ({ name: 'custom' } & Preview);
  banner?: { name: string } | ({ name?: 'custom' } & Preview);
  /** Replaces the list; [] clears it. */
  blockedWords?: string[];
}

export interface PresignedPost {
  url: string;
  fields: Record<string, string>;
}

export type StreamActionName = 'quiz' | 'product' | 'notice' | 'celebration' | 'amazon_product';
export interface ActiveAction {
  name?: StreamActionName;
  data?: Record<string, unknown>;
  startTime?: string;
  expiry?: string;
}
export type StreamActionPresets = Partial<Record<StreamActionName, Record<string, unknown>>>;

export interface StreamSessionSummary {
  streamId: string;
  startTime: string;
  endTime?: string;
  isLive: boolean;
  hasErrorEvent: boolean;
  channelArn: string;
}
export interface StreamSessionList {
  maxResults: number;
  streamSessions: StreamSessionSummary[];
  nextToken?: string;
}
export interface MetricSeries {
  alignedStartTime: string;
  data: number[];
  label: string;
  period: number;
  statistics: { average: number };
}
export interface Diagnosis {
  id: string;
  severity: string;
  title: string;
  detail: string;
  fix: string;
}
export interface StreamSession {
  channel: { type: string };
  streamId: string;
  startTime: string;
  endTime?: string;
  isLive: boolean;
  isHealthy: boolean;
  hasErrorEvent: boolean;
  ingestConfiguration?: {
    audio?: Record<string, unknown>;
    video?: Record<string, unknown>;
  };
  truncatedEvents: { eventTime: string; name: string; type: string }[];
  metrics: MetricSeries[];
  diagnoses: Diagnosis[];
}

export interface ProductSearch {
  searchCount: number | null;
  items: Record<string, unknown>[];
  keyword?: string;
}
export type ProductSort = 'Relevance' | 'NewestArrivals' | 'Price:LowToHigh' | 'Price:HighToLow' | 'Featured';

export type StageRole = 'host' | 'publisher' | 'viewer';
export interface StageToken {
  token: string;
  participantId: string;
  userId: string;
  expirationTime: string;
  capabilities: string[];
  role: StageRole;
}
export interface Stage {
  id: string;
  arn?: string;
  name: string;
  activeSessionId?: string | null;
  createdAt: string;
  allowAnonymous: boolean;
  host?: { username: string; avatar: string; avatarUrl?: string };
  endpoints?: Record<string, string>;
  publishing?: { participantId: string; username: string; since: string }[];
  participants?: Record<string, unknown>[];
  invited?: { username: string; invitedAt: string }[];
  role?: StageRole;
}
export interface StageSummary {
  id: string;
  name: string;
  createdAt: string;
  allowAnonymous: boolean;
  host: { username: string; avatar: string; avatarUrl?: string };
  publisherCount: number;
}
