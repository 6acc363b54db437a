import { describe, expect, it } from 'vitest';
import { ConfigError, offlineMailboxUrl, parseConfig } from './config';

const local = {
  region: 'us-east-1', userPoolId: 'us-east-1_abc', userPoolClientId: 'cid', cognitoEndpoint: 'http://127.0.0.1:4566',
  apiUrl: 'http://127.0.0.1:3001/', chatUrl: 'ws://127.0.0.1:4566/chat', awsEndpoint: 'http://127.0.0.1:4566',
  channelType: 'STANDARD', enableAmazonProductStreamAction: false, stage: 'local', offline: true,
};

describe('parseConfig', () => {
  it('reads the offline stack config', () => {
    expect(parseConfig(local, 'http://127.0.0.1:3000')).toEqual({
      region: 'us-east-1', userPoolId: 'us-east-1_abc', userPoolClientId: 'cid', cognitoEndpoint: 'http://127.0.0.1:4566',
      apiUrl: 'http://127.0.0.1:3001', chatUrl: 'ws://127.0.0.1:4566/chat', channelType: 'STANDARD',
      enableAmazonProductStreamAction: false, stage: 'local', offline: true,
    });
  });
  it('reads a cloud config (no endpoints) and resolves relative URLs', () => {
    const c = parseConfig({ region: 'eu-west-1', userPoolId: 'p', userPoolClientId: 'c', apiUrl: '/api', chatUrl: '/chat', enableAmazonProductStreamAction: 'true' }, 'https://app.example.com');
    expect(c).toMatchObject({ apiUrl: 'https://app.example.com/api', chatUrl: 'wss://app.example.com/chat', offline: false, enableAmazonProductStreamAction: true, stage: 'dev' });
    expect(c.cognitoEndpoint).toBeUndefined();
  });
  it('reads the stage client keys', () => {
    const c = parseConfig({ ...local, stageClient: 'whip', stageSfuUrl: 'https://127.0.0.1:4444/' }, 'http://127.0.0.1:3000');
    expect(c).toMatchObject({ stageClient: 'whip', stageSfuUrl: 'https://127.0.0.1:4444' });
    expect(parseConfig(local, 'http://x').stageClient).toBeUndefined();
  });
  it.each([[null], [[]], [{ ...local, apiUrl: undefined }], [{ ...local, region: 3 }], [{ ...local, stageClient: 'sdk' }]])('refuses %j', (raw) => {
    expect(() => parseConfig(raw, 'http://x')).toThrow(ConfigError);
  });
});

describe('offlineMailboxUrl', () => {
  it("is the stack's mailbox offline, for one address or all", () => {
    const c = parseConfig(local, 'http://127.0.0.1:3000');
    expect(offlineMailboxUrl(c, 'a+b@example.com')).toBe('http://127.0.0.1:4566/_local/mail?to=a%2Bb%40example.com');
    expect(offlineMailboxUrl(c)).toBe('http://127.0.0.1:4566/_local/mail');
  });
  it('is absent in the cloud, where the email is really sent', () => {
    const c = parseConfig({ region: 'eu-west-1', userPoolId: 'p', userPoolClientId: 'c', apiUrl: '/api' }, 'https://app.example.com');
    expect(offlineMailboxUrl(c, 'a@example.com')).toBeUndefined();
  });
});
