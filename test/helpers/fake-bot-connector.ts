/**
 * A local stand-in for Microsoft's Bot Framework cloud, on loopback, for tests of the real botbuilder
 * CloudAdapter:
 *
 * - the channel's side: signs activities' JWTs with its own RSA key and serves the OpenID metadata
 *   and JWKS the adapter validates them with (`channelToken`, `postActivity`);
 * - the Bot Connector: records what the bot sends (POST /v3/conversations/{id}/activities and
 *   /activities/{replyToId}, PUT to update), answers member lookups (GET
 *   /v3/conversations/{id}/members/{userId}, as TeamsInfo.getMember asks) from `members`, and
 *   refuses requests without a token it issued;
 * - the Entra ID token endpoint the bot gets those tokens from (client credentials, over HTTPS with a
 *   throwaway CA, because MSAL only talks https).
 *
 *   const fake = await FakeBotConnector.start({ appId, appPassword });
 *   const surface = createTeamsSurface({ config, log, cloud: fake.cloud });
 *   await fake.postActivity(botUrl, activity);           // signed like the channel signs it
 *   const [reply] = await fake.waitForActivities(1);
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { makeServerCert } from './tls.js';

export interface RecordedActivity {
  /** POST (send / reply) or PUT (update). */
  method: string;
  conversationId: string;
  /** From the URL: /activities/{replyToId}. */
  replyToId?: string;
  activity: Record<string, unknown>;
  /** Authorization header the bot sent. */
  authorization?: string;
}

export interface TokenRequest {
  clientId?: string;
  scope?: string;
  grantType?: string;
  ok: boolean;
}

export interface FakeBotConnectorOptions {
  appId: string;
  appPassword: string;
  /** Token issuer of channel JWTs; default https://api.botframework.com (as the real service). */
  tokenIssuer?: string;
  /** Endorsements of the signing key; default ['msteams']. */
  endorsements?: string[];
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** An RS256 JWT. */
export function signJwt(payload: Record<string, unknown>, key: KeyObject, kid: string): string {
  const head = b64url(JSON.stringify({ alg: 'RS256', typ: 'JWT', kid, x5t: kid }));
  const body = b64url(JSON.stringify(payload));
  const sig = sign('sha256', Buffer.from(`${head}.${body}`), key);
  return `${head}.${body}.${b64url(sig)}`;
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  let s = '';
  for await (const c of req) s += c;
  return s;
}

/** An async request handler as node's (void) listener; a rejection stays unhandled, so the test run reports it. */
function detached(handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>): http.RequestListener {
  return (req, res) => void handler(req, res);
}

function listen(server: http.Server | https.Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export class FakeBotConnector {
  readonly activities: RecordedActivity[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  /** Requests the connector refused (no or unknown token). */
  readonly rejected: { path: string; authorization?: string }[] = [];
  readonly tokenIssuer: string;
  /** Members TeamsInfo.getMember finds, by user ID (29:…) or Entra object ID; every lookup is counted in `memberLookups`. */
  readonly members = new Map<string, { id: string; aadObjectId?: string; name?: string; userPrincipalName?: string; email?: string }>();
  memberLookups = 0;
  readonly kid = `krbops-test-${randomUUID().slice(0, 8)}`;
  private readonly key: KeyObject;
  private readonly issuedTokens = new Set<string>();
  private waiters: (() => void)[] = [];
  private http!: http.Server;
  private https!: https.Server;
  private httpPort = 0;
  private httpsPort = 0;
  private loginCa = '';
  private nextId = 1;

  private constructor(private readonly options: FakeBotConnectorOptions) {
    this.tokenIssuer = options.tokenIssuer ?? 'https://api.botframework.com';
    this.key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }

  static async start(options: FakeBotConnectorOptions): Promise<FakeBotConnector> {
    const f = new FakeBotConnector(options);
    await f.listen();
    return f;
  }

  /** Base URL of the channel/connector side (plain HTTP on loopback). */
  get base(): string {
    return `http://127.0.0.1:${this.httpPort}`;
  }

  /** The serviceUrl activities carry: where the bot sends its replies. */
  get serviceUrl(): string {
    return `${this.base}/amer/`;
  }

  /** The endpoints to give createTeamsSurface({ cloud }) instead of the public Bot Framework cloud. */
  get cloud() {
    return {
      openIdMetadataUrl: `${this.base}/v1/.well-known/openidconfiguration`,
      tokenIssuer: this.tokenIssuer,
      loginUrl: `https://127.0.0.1:${this.httpsPort}/botframework.com`,
      oauthScope: 'https://api.botframework.com',
      loginCa: this.loginCa,
    };
  }

  /** A JWT as the channel sends it: iss, aud = the app ID, serviceurl, 5 minutes of life. */
  channelToken(o: { serviceUrl?: string; audience?: string; issuer?: string; expiresIn?: number; key?: KeyObject } = {}): string {
    const now = Math.floor(Date.now() / 1000);
    return signJwt(
      {
        iss: o.issuer ?? this.tokenIssuer,
        aud: o.audience ?? this.options.appId,
        serviceurl: o.serviceUrl ?? this.serviceUrl,
        nbf: now - 60,
        iat: now - 60,
        exp: now + (o.expiresIn ?? 300),
      },
      o.key ?? this.key,
      this.kid,
    );
  }

  /** A key that is not in the JWKS, for forged tokens. */
  static otherKey(): KeyObject {
    return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }

  /**
   * POSTs an activity to the bot's endpoint as the channel would. `authorization`: a header value,
   * `null` for none; default a valid channel token for the activity's serviceUrl.
   */
  async postActivity(botUrl: string, activity: Record<string, unknown>, o: { authorization?: string | null } = {}): Promise<{ status: number; body: string }> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const auth = o.authorization === undefined ? `Bearer ${this.channelToken({ serviceUrl: typeof activity.serviceUrl === 'string' ? activity.serviceUrl : this.serviceUrl })}` : o.authorization;
    if (auth !== null) headers.authorization = auth;
    const res = await fetch(botUrl, { method: 'POST', headers, body: JSON.stringify(activity) });
    return { status: res.status, body: await res.text() };
  }

  /** Resolves once at least `count` activities matching `filter` were recorded (replies, typing…). */
  async waitForActivities(count: number, o: { filter?: (a: RecordedActivity) => boolean; timeoutMs?: number } = {}): Promise<RecordedActivity[]> {
    const pick = () => this.activities.filter(o.filter ?? (() => true));
    const deadline = Date.now() + (o.timeoutMs ?? 10_000);
    while (pick().length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Waited for ${count} activities, got ${pick().length}: ${JSON.stringify(pick().map((a) => a.activity.type))}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return pick();
  }

  /** Recorded message activities (not typing indicators). */
  messages(): RecordedActivity[] {
    return this.activities.filter((a) => a.activity.type === 'message');
  }

  clear(): void {
    this.activities.length = 0;
    this.rejected.length = 0;
  }

  async close(): Promise<void> {
    await Promise.all([new Promise((r) => this.http.close(r)), new Promise((r) => this.https.close(r))]);
    this.http.closeAllConnections?.();
    this.https.closeAllConnections?.();
  }

  private record(a: RecordedActivity): void {
    this.activities.push(a);
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  private json(res: http.ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async listen(): Promise<void> {
    const jwk = this.key.export({ format: 'jwk' }) as { n: string; e: string };
    this.http = http.createServer(detached(async (req, res) => {
      const url = new URL(req.url ?? '/', this.base);
      if (req.method === 'GET' && url.pathname === '/v1/.well-known/openidconfiguration') {
        return this.json(res, 200, { issuer: this.tokenIssuer, authorization_endpoint: `${this.base}/v1/authorize`, jwks_uri: `${this.base}/v1/keys`, id_token_signing_alg_values_supported: ['RS256'], token_endpoint_auth_methods_supported: ['private_key_jwt'] });
      }
      if (req.method === 'GET' && url.pathname === '/v1/keys') {
        return this.json(res, 200, { keys: [{ kty: 'RSA', use: 'sig', kid: this.kid, x5t: this.kid, n: jwk.n, e: jwk.e, endorsements: this.options.endorsements ?? ['msteams'] }] });
      }
      const member = /\/v3\/conversations\/([^/]+)\/members\/([^/]+)$/.exec(url.pathname);
      if (member && req.method === 'GET') {
        const token = req.headers.authorization?.replace(/^Bearer /, '');
        if (!token || !this.issuedTokens.has(token)) {
          this.rejected.push({ path: url.pathname, authorization: req.headers.authorization });
          return this.json(res, 401, { error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } });
        }
        this.memberLookups++;
        const found = this.members.get(decodeURIComponent(member[2]));
        return found ? this.json(res, 200, found) : this.json(res, 404, { error: { code: 'MemberNotFoundInConversation', message: 'The member was not found.' } });
      }
      const m = /\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/.exec(url.pathname);
      if (m && (req.method === 'POST' || req.method === 'PUT')) {
        const body = await readBody(req);
        const authorization = req.headers.authorization;
        const token = authorization?.replace(/^Bearer /, '');
        if (!token || !this.issuedTokens.has(token)) {
          this.rejected.push({ path: url.pathname, authorization });
          return this.json(res, 401, { error: { code: 'Unauthorized', message: 'Authorization has been denied for this request.' } });
        }
        const activity = JSON.parse(body) as Record<string, unknown>;
        const id = req.method === 'PUT' ? decodeURIComponent(m[2] ?? '') : `${Date.now()}${this.nextId++}`;
        this.record({ method: req.method, conversationId: decodeURIComponent(m[1]), replyToId: req.method === 'POST' && m[2] ? decodeURIComponent(m[2]) : undefined, activity, authorization });
        return this.json(res, 200, { id });
      }
      this.json(res, 404, { error: { code: 'NotFound', message: `${req.method} ${url.pathname}` } });
    }));
    this.httpPort = await listen(this.http);

    const cert = makeServerCert(['127.0.0.1']);
    this.loginCa = cert.ca.toString('utf8');
    this.https = https.createServer({ key: cert.key, cert: cert.cert }, detached(async (req, res) => {
      const url = new URL(req.url ?? '/', `https://127.0.0.1:${this.httpsPort}`);
      const authority = `https://127.0.0.1:${this.httpsPort}/botframework.com`;
      if (req.method === 'GET' && url.pathname === '/botframework.com/v2.0/.well-known/openid-configuration') {
        return this.json(res, 200, {
          issuer: `${authority}/v2.0`,
          token_endpoint: `${authority}/oauth2/v2.0/token`,
          authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
          jwks_uri: `${authority}/discovery/v2.0/keys`,
        });
      }
      if (req.method === 'POST' && url.pathname === '/botframework.com/oauth2/v2.0/token') {
        const form = new URLSearchParams(await readBody(req));
        const ok = form.get('client_id') === this.options.appId && form.get('client_secret') === this.options.appPassword && form.get('grant_type') === 'client_credentials';
        this.tokenRequests.push({ clientId: form.get('client_id') ?? undefined, scope: form.get('scope') ?? undefined, grantType: form.get('grant_type') ?? undefined, ok });
        if (!ok) return this.json(res, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided.' });
        const now = Math.floor(Date.now() / 1000);
        const token = signJwt({ iss: `${authority}/v2.0`, aud: 'https://api.botframework.com', appid: this.options.appId, iat: now, nbf: now, exp: now + 3600 }, this.key, this.kid);
        this.issuedTokens.add(token);
        return this.json(res, 200, { token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
      }
      this.json(res, 404, { error: 'not_found' });
    }));
    this.httpsPort = await listen(this.https);
  }
}
