// The one typed client for every route of docs/api.md. It attaches the
// access token, maps error answers to ApiError and treats 204 as "no body".

import { ApiError, toApiError } from './errors';
import type {
  ActiveAction, AssetType, BannedUser, ChannelList, ChannelPage, ChatToken, MyChannel, PreferencesUpdate,
  PresignedPost, ProductSearch, ProductSort, Stage, StageRole, StageSummary, StageToken,
  StreamActionName, StreamActionPresets, StreamSession, StreamSessionList,
} from './types';

/** Returns the current access token, or null when signed out (refreshing it if needed). */
export type TokenSource = () => Promise<string | null>;

export interface ApiClientOptions {
  baseUrl: string;
  token: TokenSource;
  fetch?: typeof fetch;
}

type Auth = 'required' | 'optional' | 'none';
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

const enc = encodeURIComponent;

export class ApiClient {
  private readonly base: string;
  private readonly token: TokenSource;
  private readonly fetchImpl: typeof fetch;

  constructor(opts: ApiClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token;
    this.fetchImpl = opts.fetch ?? ((...a) => fetch(...a));
  }

  /** Sends one request. Resolves to the parsed JSON body, or undefined for 204. */
  async request<T>(method: Method, path: string, opts: { body?: unknown; auth?: Auth; signal?: AbortSignal } = {}): Promise<T> {
    const auth = opts.auth ?? 'required';
    const headers: Record<string, string> = {};
    if (auth !== 'none') {
      const token = await this.token();
      if (token) headers.Authorization = token;
      else if (auth === 'required') throw new ApiError('UnauthorizedException', 'Sign in first.', 401);
    }
    if (opts.body !== undefined) headers['Content-Type'] = 'application/json';
    let res: Response;
    try {
      res = await this.fetchImpl(this.base + path, {
        method,
        headers,
        body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
        signal: opts.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError('NetworkError', 'Could not reach the server. Check your connection.', 0);
    }
    if (res.status === 204) return undefined as T;
    const text = await res.text();
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = { message: text };
      }
    }
    if (!res.ok) throw toApiError(res.status, body);
    return body as T;
  }

  // Account and channel
  getChannel = () => this.request<MyChannel>('GET', '/channel');
  createChannelResources = () => this.request<Record<string, never>>('POST', '/channel/resources/create', { body: {} });
  resetStreamKey = () => this.request<{ streamKeyValue: string }>('POST', '/channel/streamKey/reset');
  deleteAccount = () => this.request<void>('DELETE', '/channel');
  updateUsername = (newUsername: string) =>
    this.request<{ username: string }>('PUT', '/channel/username/update', { body: { newUsername } });
  updatePreferences = (prefs: PreferencesUpdate) =>
    this.request<PreferencesUpdate>('PUT', '/channel/preferences/update', { body: prefs });

  // Follow and ban
  follow = (followedUsername: string) =>
    this.request<Record<string, never> | undefined>('PUT', '/channel/followingList/add', { body: { followedUsername } });
  unfollow = (followedUsername: string) =>
    this.request<Record<string, never>>('PUT', '/channel/followingList/remove', { body: { followedUsername } });
  getFollowingList = () => this.request<ChannelList>('GET', '/channel/followingList');
  ban = (target: { bannedUsername: string } | { bannedChannelArn: string }) =>
    this.request<Record<string, never>>('POST', '/channel/ban', { body: target });
  unban = (target: { bannedUsername: string } | { bannedChannelArn: string }) =>
    this.request<Record<string, never>>('POST', '/channel/unban', { body: target });
  listBannedUsers = () => this.request<{ bannedUsers: BannedUser[] }>('GET', '/channel/bans');

  // Chat
  createChatToken = (chatRoomOwnerUsername: string) =>
    this.request<ChatToken>('POST', '/channel/chatToken/create', { body: { chatRoomOwnerUsername }, auth: 'optional' });

  // Directory and channel pages
  getChannelPage = (username: string) => this.request<ChannelPage>('GET', `/channels/${enc(username)}`, { auth: 'optional' });
  listLiveChannels = () => this.request<ChannelList>('GET', '/channels?isLive=true', { auth: 'none' });

  // Stream health
  listStreamSessions = (channelResourceId: string, nextToken?: string) =>
    this.request<StreamSessionList>(
      'GET',
      `/metrics/${enc(channelResourceId)}/streamSessions${nextToken ? `?nextToken=${enc(nextToken)}` : ''}`,
    );
  getStreamSession = (channelResourceId: string, streamSessionId: string) =>
    this.request<StreamSession>('GET', `/metrics/${enc(channelResourceId)}/streamSessions/${enc(streamSessionId)}`);

  // Overlays
  sendStreamAction = (name: StreamActionName, data: Record<string, unknown>) =>
    this.request<ActiveAction>('POST', '/channel/actions/send', { body: { name, data } });
  stopStreamAction = () => this.request<ActiveAction>('POST', '/channel/actions/send', { body: {} });
  getActiveStreamAction = () => this.request<ActiveAction>('GET', '/channel/actions/active');
  getStreamActionPresets = () => this.request<StreamActionPresets>('GET', '/channel/actions/presets');
  putStreamActionPresets = (presets: StreamActionPresets) =>
    this.request<StreamActionPresets>('PUT', '/channel/actions/presets', { body: presets });

  // Channel assets
  createAssetUpload = (assetType: AssetType, contentType: string) =>
    this.request<PresignedPost>('POST', '/channel/assets/imagePresignedPost/create', { body: { assetType, contentType } });
  deleteAsset = (assetType: AssetType) => this.request<void>('DELETE', '/channel/asset', { body: { assetType } });

  // Products
  searchProducts = (keywords: string, o: { sort?: ProductSort; page?: number; language?: string; origin?: 'input' | 'sort' } = {}) => {
    const q = new URLSearchParams();
    if (o.sort) q.set('sort', o.sort);
    if (o.page) q.set('page', String(o.page));
    if (o.language) q.set('language', o.language);
    if (o.origin) q.set('origin', o.origin);
    const qs = q.toString();
    return this.request<ProductSearch>('GET', `/products/${enc(keywords)}${qs ? `?${qs}` : ''}`);
  };

  // Stages
  createStage = (opts: { allowAnonymous?: boolean } = {}) =>
    this.request<{ stage: Stage; token: StageToken }>('POST', '/stages', { body: opts });
  listStages = (limit?: number) =>
    this.request<{ stages: StageSummary[] }>('GET', `/stages${limit ? `?limit=${limit}` : ''}`, { auth: 'none' });
  getStage = (stageId: string) => this.request<{ stage: Stage }>('GET', `/stages/${enc(stageId)}`, { auth: 'optional' });
  createStageToken = (stageId: string, role?: StageRole) =>
    this.request<{ stageId: string; token: StageToken }>('POST', `/stages/${enc(stageId)}/tokens`, {
      body: role ? { role } : {},
      auth: 'optional',
    });
  inviteToStage = (stageId: string, username: string) =>
    this.request<{ stageId: string; invited: { username: string; invitedAt: string } }>(
      'POST', `/stages/${enc(stageId)}/invites`, { body: { username } },
    );
  revokeStageInvite = (stageId: string, username: string) =>
    this.request<void>('DELETE', `/stages/${enc(stageId)}/invites/${enc(username)}`);
  disconnectStageParticipant = (stageId: string, participantId: string, reason?: string) =>
    this.request<void>('DELETE', `/stages/${enc(stageId)}/participants/${enc(participantId)}`, {
      body: reason ? { reason } : {},
    });
  deleteStage = (stageId: string) => this.request<void>('DELETE', `/stages/${enc(stageId)}`);
}

/**
 * Uploads a file with a presigned S3 POST: every field, then Content-Type,
 * then the file last (S3 ignores fields after the file). Returns the
 * preview the preferences route takes: Location + ?versionId=, and Date.
 */
export async function uploadWithPresignedPost(
  post: PresignedPost,
  file: Blob,
  contentType: string,
  fetchImpl: typeof fetch = fetch,
): Promise<{ previewUrl: string; uploadDateTime: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(post.fields)) form.append(k, v);
  form.append('Content-Type', contentType);
  form.append('file', file);
  let res: Response;
  try {
    res = await fetchImpl(post.url, { method: 'POST', body: form });
  } catch {
    throw new ApiError('NetworkError', 'The upload did not reach the storage service.', 0);
  }
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? 'UploadFailed';
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1] ?? `Upload failed (HTTP ${res.status}).`;
    throw new ApiError(code, message, res.status);
  }
  const base = res.headers.get('Location') ?? `${post.url.replace(/\/+$/, '')}/${post.fields.key}`;
  const version = res.headers.get('x-amz-version-id');
  const previewUrl = version ? `${base}${base.includes('?') ? '&' : '?'}versionId=${enc(version)}` : base;
  const uploadDateTime = res.headers.get('Date') ?? new Date().toUTCString();
  return { previewUrl, uploadDateTime };
}
