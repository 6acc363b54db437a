// Run-time configuration. The same build runs against the cloud and the
// offline stack: index.html loads /config.json before the app renders.
// Offline the stack serves it (the same JSON as /_local/config); in the
// cloud `make web-config STAGE=dev` writes it from the stack's outputs.

export interface AppConfig {
  region: string;
  userPoolId: string;
  userPoolClientId: string;
  /** Cognito endpoint override (offline); absent in the cloud. */
  cognitoEndpoint?: string;
  apiUrl: string;
  /** IVS Chat messaging endpoint override (offline); the region is used otherwise. */
  chatUrl?: string;
  channelType?: string;
  enableAmazonProductStreamAction: boolean;
  stage: string;
  /** True on the offline stack: the player uses hls.js instead of the IVS player. */
  offline: boolean;
  /** The channel player: "hls" (hls.js) or "ivs" (the IVS player); absent in the config: from `offline`. */
  playerKind?: 'hls' | 'ivs';
  /** Stage client: "whip" (the offline SFU) or "ivs" (the Web Broadcast SDK); absent: from `offline`. */
  stageClient?: 'whip' | 'ivs';
  /** The offline SFU's base URL (https://…), for the "whip" stage client. */
  stageSfuUrl?: string;
  /** The offline media plane's WebRTC ingest (https), where the web broadcast SDK posts /v1/offer. */
  webrtcIngestEndpoint?: string;
}

export class ConfigError extends Error {}

function str(raw: Record<string, unknown>, key: string, required: boolean): string | undefined {
  const v = raw[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new ConfigError(`config.json: "${key}" is missing`);
    return undefined;
  }
  if (typeof v !== 'string') throw new ConfigError(`config.json: "${key}" must be a string`);
  return v;
}

/** Validates and normalises the JSON of /config.json. Relative URLs are resolved against base. */
export function parseConfig(raw: unknown, base: string): AppConfig {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('config.json must be a JSON object');
  }
  const r = raw as Record<string, unknown>;
  const abs = (u: string | undefined, ws = false) => {
    if (!u) return u;
    const url = new URL(u, base);
    if (ws && url.protocol.startsWith('http')) url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    return url.toString().replace(/\/$/, '');
  };
  return {
    region: str(r, 'region', true)!,
    userPoolId: str(r, 'userPoolId', true)!,
    userPoolClientId: str(r, 'userPoolClientId', true)!,
    cognitoEndpoint: abs(str(r, 'cognitoEndpoint', false)),
    apiUrl: abs(str(r, 'apiUrl', true))!,
    chatUrl: abs(str(r, 'chatUrl', false), true),
    channelType: str(r, 'channelType', false),
    enableAmazonProductStreamAction:
      r.enableAmazonProductStreamAction === true || r.enableAmazonProductStreamAction === 'true',
    stage: str(r, 'stage', false) ?? 'dev',
    offline: r.offline === true,
    playerKind: playerKindOf(str(r, 'playerKind', false)),
    stageClient: stageClientOf(str(r, 'stageClient', false)),
    stageSfuUrl: abs(str(r, 'stageSfuUrl', false)),
    webrtcIngestEndpoint: abs(str(r, 'webrtcIngestEndpoint', false)),
  };
}

function playerKindOf(v: string | undefined): 'hls' | 'ivs' | undefined {
  if (v === undefined) return undefined;
  if (v === 'hls.js' || v === 'hls') return 'hls';
  if (v === 'ivs') return 'ivs';
  throw new ConfigError(`config.json: "playerKind" must be "hls.js" or "ivs", not "${v}"`);
}

function stageClientOf(v: string | undefined): 'whip' | 'ivs' | undefined {
  if (v === undefined || v === 'whip' || v === 'ivs') return v;
  throw new ConfigError(`config.json: "stageClient" must be "whip" or "ivs", not "${v}"`);
}

export async function loadConfig(fetchImpl: typeof fetch = fetch, base = window.location.origin): Promise<AppConfig> {
  const res = await fetchImpl(new URL('/config.json', base).toString(), { cache: 'no-store' });
  if (!res.ok) throw new ConfigError(`config.json: HTTP ${res.status}`);
  return parseConfig(await res.json(), base);
}

/**
 * Offline, the stack's mailbox, where the emails Cognito would send are kept
 * (all of them, or those to `to`); undefined in the cloud, where they are
 * really sent.
 */
export function offlineMailboxUrl(c: AppConfig, to?: string): string | undefined {
  if (!c.offline || !c.cognitoEndpoint) return undefined;
  return `${c.cognitoEndpoint}/_local/mail${to ? `?to=${encodeURIComponent(to)}` : ''}`;
}
