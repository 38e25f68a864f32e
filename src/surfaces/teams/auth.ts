/**
 * Bot Framework authentication from krbops' configuration (the SDK's own variable names:
 * MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType, MicrosoftAppTenantId).
 *
 * By default the public Azure Bot Service cloud is used exactly as the SDK configures it. A
 * `BotFrameworkCloud` replaces its endpoints — for sovereign or private clouds, and for tests, where
 * a local server on loopback stands in for the Bot Connector and its token service.
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

/** The SDK's configuration object for these settings (what ConfigurationBotFrameworkAuthentication reads). */
export function sdkSettings(teams: TeamsConfig): Record<string, string> {
  const s: Record<string, string> = { MicrosoftAppId: teams.appId, MicrosoftAppType: teams.appType };
  if (teams.appPassword) s.MicrosoftAppPassword = teams.appPassword;
  if (teams.tenantId) s.MicrosoftAppTenantId = teams.tenantId;
  return s;
}

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
  const settings = sdkSettings(teams);
  if (!cloud) return new ConfigurationBotFrameworkAuthentication(settings);

  if (teams.appType === 'UserAssignedMSI') throw new ConfigError('MicrosoftAppType', 'UserAssignedMSI works only in the public Azure cloud');
  if (!teams.appPassword) throw new ConfigError('MicrosoftAppPassword', 'is required to obtain tokens from a custom Bot Framework cloud');
  let login: URL;
  try {
    login = new URL(cloud.loginUrl);
  } catch {
    throw new ConfigError('loginUrl', `"${cloud.loginUrl}" is not a URL`);
  }
  // MSAL only talks to authorities it knows; a private cloud's login host is declared known here,
  // so no instance discovery goes to login.microsoftonline.com.
  const msal = new ConfidentialClientApplication({
    auth: { clientId: teams.appId, clientSecret: teams.appPassword, authority: cloud.loginUrl, knownAuthorities: [login.host] },
    system: cloud.loginCa ? { customAgentOptions: { ca: cloud.loginCa } } : undefined,
  });
  return new ConfigurationBotFrameworkAuthentication(
    {
      ...settings,
      ToBotFromChannelOpenIdMetadataUrl: cloud.openIdMetadataUrl,
      ToBotFromEmulatorOpenIdMetadataUrl: cloud.openIdMetadataUrl,
      ToBotFromChannelTokenIssuer: cloud.tokenIssuer,
      ToChannelFromBotLoginUrl: cloud.loginUrl,
      ToChannelFromBotOAuthScope: cloud.oauthScope,
      OAuthUrl: cloud.oauthScope,
      CallerId: CallerIdConstants.PublicAzureChannel,
      ValidateAuthority: true,
    },
    // The connector is typed against msal-node's CommonJS declarations, this module gets the ESM ones: same class.
    new MsalServiceClientCredentialsFactory(teams.appId, msal as unknown as ConstructorParameters<typeof MsalServiceClientCredentialsFactory>[1]),
  );
}
