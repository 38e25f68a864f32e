/**
 * Bot Framework authentication from krbops' configuration, in the SDK's own variable names:
 * MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId, and for any cloud
 * other than public Azure the names ConfigurationBotFrameworkAuthentication reads (ChannelService,
 * ToChannelFromBotLoginUrl, ToChannelFromBotOAuthScope, ToBotFromChannelTokenIssuer,
 * ToBotFromChannelOpenIdMetadataUrl, OAuthUrl, ValidateAuthority… see BOT_FRAMEWORK_CLOUD_VARIABLES),
 * handed to it unchanged. With none set, the public Azure Bot Service cloud is used exactly as the
 * SDK configures it; `ChannelService=https://botframework.azure.us` alone selects US Government.
 *
 * A token service that is not Microsoft's (a private cloud, the tests' local stand-in) gets an MSAL
 * client that knows its authority, trusting the CAs of NODE_EXTRA_CA_CERTS.
 */
import { ConfidentialClientApplication } from '@azure/msal-node';
import { CallerIdConstants, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import {
  AuthenticationError,
  BotFrameworkAuthentication,
  MsalServiceClientCredentialsFactory,
  type AuthenticateRequestResult,
  type BotFrameworkClient,
  type ClaimsIdentity,
  type ConnectorFactory,
  type UserTokenClient,
} from 'botframework-connector';
import type { Activity } from 'botbuilder';
import type { Config } from '../../config.js';
import { ConfigError } from '../../errors.js';
import { AUTH_UNAVAILABLE } from './http.js';

export type TeamsConfig = NonNullable<Config['teams']>;

/** Endpoints of a Bot Framework cloud other than the public one. */
export interface BotFrameworkCloud {
  /** OpenID metadata whose JWKS signs the tokens the channel sends the bot (public: https://login.botframework.com/v1/.well-known/openidconfiguration). */
  openIdMetadataUrl: string;
  /** `iss` of those tokens (public: https://api.botframework.com). */
  tokenIssuer: string;
  /** Authority the bot gets its own tokens from; must be https (public: https://login.microsoftonline.com/botframework.com). */
  loginUrl: string;
  /** Scope of the bot's tokens, i.e. the connector's audience (public: https://api.botframework.com). */
  oauthScope: string;
  /** PEM CA certificate(s) trusted for `loginUrl` in addition to Node's store; default none. */
  loginCa?: string;
}

/**
 * The SDK's configuration object (what ConfigurationBotFrameworkAuthentication reads): the app's
 * credentials and, when set, the cloud's endpoints under the SDK's own names.
 */
export function sdkSettings(teams: TeamsConfig): Record<string, string> {
  const s: Record<string, string> = { MicrosoftAppId: teams.appId, MicrosoftAppType: teams.appType };
  if (teams.appPassword) s.MicrosoftAppPassword = teams.appPassword;
  if (teams.tenantId) s.MicrosoftAppTenantId = teams.tenantId;
  return { ...s, ...(teams.cloud ?? {}) };
}

/** The endpoints of a `BotFrameworkCloud` under the SDK's names (tests, and code that builds a cloud). */
export function cloudSettings(cloud: BotFrameworkCloud): Record<string, string> {
  return {
    ToBotFromChannelOpenIdMetadataUrl: cloud.openIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: cloud.openIdMetadataUrl,
    ToBotFromChannelTokenIssuer: cloud.tokenIssuer,
    ToChannelFromBotLoginUrl: cloud.loginUrl,
    ToChannelFromBotOAuthScope: cloud.oauthScope,
    OAuthUrl: cloud.oauthScope,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: 'true',
  };
}

/** Login URLs the SDK knows how to get tokens from by itself (public Azure and US Government). */
const SDK_LOGIN_PREFIXES = ['https://login.microsoftonline.com/', 'https://login.microsoftonline.us/'];

/**
 * The authentication the CloudAdapter validates requests with (JWTs from the channel, checked
 * against the app ID) and obtains reply tokens from. Requires an app ID: a Teams endpoint without
 * one would run commands for anybody who can reach it.
 */
export function createBotAuthentication(teams: TeamsConfig | undefined, cloud?: BotFrameworkCloud): BotFrameworkAuthentication {
  return new RejectBadTokens(sdkAuthentication(teams, cloud));
}

/** jsonwebtoken's errors: a token with a bad signature, expired, or not yet valid. */
const TOKEN_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * The SDK lets a token with a bad signature escape as a plain error, which CloudAdapter answers with
 * 500; the channel should see what it is, 401. Everything else is delegated unchanged.
 */
class RejectBadTokens extends BotFrameworkAuthentication {
  constructor(private readonly inner: BotFrameworkAuthentication) {
    super();
  }
  private async strict<T>(p: Promise<T>): Promise<T> {
    try {
      return await p;
    } catch (e) {
      if (!(e instanceof AuthenticationError) && e instanceof Error && TOKEN_ERRORS.has(e.name)) throw new AuthenticationError(`Unauthorized: ${e.message}`, 401);
      // Anything else is the SDK failing to fetch the OpenID metadata / signing keys: the token could not be
      // checked at all. CloudAdapter would answer 500 with the fetch error in the body; toBotResponse answers 503.
      if (!(e instanceof AuthenticationError)) throw new Error(AUTH_UNAVAILABLE, { cause: e });
      throw e;
    }
  }
  authenticateRequest(activity: Activity, authHeader: string): Promise<AuthenticateRequestResult> {
    return this.strict(this.inner.authenticateRequest(activity, authHeader));
  }
  authenticateStreamingRequest(authHeader: string, channelIdHeader: string): Promise<AuthenticateRequestResult> {
    return this.strict(this.inner.authenticateStreamingRequest(authHeader, channelIdHeader));
  }
  authenticateChannelRequest(authHeader: string): Promise<ClaimsIdentity> {
    return this.strict(this.inner.authenticateChannelRequest(authHeader));
  }
  createConnectorFactory(claimsIdentity: ClaimsIdentity): ConnectorFactory {
    return this.inner.createConnectorFactory(claimsIdentity);
  }
  createUserTokenClient(claimsIdentity: ClaimsIdentity): Promise<UserTokenClient> {
    return this.inner.createUserTokenClient(claimsIdentity);
  }
  createBotFrameworkClient(): BotFrameworkClient {
    return this.inner.createBotFrameworkClient();
  }
  getOriginatingAudience(): string {
    return this.inner.getOriginatingAudience();
  }
}

function sdkAuthentication(teams: TeamsConfig | undefined, cloud?: BotFrameworkCloud): BotFrameworkAuthentication {
  if (!teams?.appId) throw new ConfigError('MicrosoftAppId', 'is required for the Teams bot (the Azure Bot registration’s app ID); requests are authenticated against it');
  const settings = { ...sdkSettings(teams), ...(cloud ? cloudSettings(cloud) : {}) };
  const loginUrl = settings.ToChannelFromBotLoginUrl;
  const sdkLogin = !loginUrl || SDK_LOGIN_PREFIXES.some((p) => loginUrl.toLowerCase().startsWith(p));
  const variable = cloud ? 'loginUrl' : 'ToChannelFromBotLoginUrl';
  if (sdkLogin) return configured(settings);

  if (teams.appType === 'UserAssignedMSI') throw new ConfigError('MicrosoftAppType', 'UserAssignedMSI works only in the public Azure cloud');
  if (!teams.appPassword) throw new ConfigError('MicrosoftAppPassword', 'is required to obtain tokens from a custom Bot Framework cloud');
  let login: URL;
  try {
    login = new URL(loginUrl);
  } catch {
    throw new ConfigError(variable, `"${loginUrl}" is not a URL`);
  }
  if (login.protocol !== 'https:') throw new ConfigError(variable, 'must be an https:// URL (the token service)');
  // MSAL only talks to authorities it knows; a private cloud's login host is declared known here,
  // so no instance discovery goes to login.microsoftonline.com. Its CA: NODE_EXTRA_CA_CERTS (or
  // `loginCa` when the cloud is given in code).
  const msal = new ConfidentialClientApplication({
    auth: { clientId: teams.appId, clientSecret: teams.appPassword, authority: loginUrl, knownAuthorities: [login.host] },
    system: cloud?.loginCa ? { customAgentOptions: { ca: cloud.loginCa } } : undefined,
  });
  // The connector is typed against msal-node's CommonJS declarations, this module gets the ESM ones: same class.
  return configured(settings, new MsalServiceClientCredentialsFactory(teams.appId, msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]));
}

/** The SDK's own reading of the settings; its refusal of a cloud becomes a ConfigError naming ChannelService. */
function configured(settings: Record<string, string>, credentials?: MsalServiceClientCredentialsFactory): BotFrameworkAuthentication {
  try {
    return new ConfigurationBotFrameworkAuthentication(settings, credentials);
  } catch (e) {
    throw new ConfigError('ChannelService', `the Bot Framework SDK refused the cloud settings (${(e as Error).message.slice(0, 200)}); set ToChannelFromBotLoginUrl, ToChannelFromBotOAuthScope, ToBotFromChannelTokenIssuer and ToBotFromChannelOpenIdMetadataUrl for a private cloud`);
  }
}
