/**
 * Configuration → Bot Framework authentication: no app ID, no Teams endpoint; the SDK's own
 * variable names; custom clouds only where they can work.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config.js';
import { ConfigError } from '../../../src/errors.js';
import { silentLogger } from '../../../src/log.js';
import { createBotAuthentication, createTeamsSurface, sdkSettings } from '../../../src/surfaces/teams/index.js';

const cloud = { openIdMetadataUrl: 'http://127.0.0.1:9/v1/.well-known/openidconfiguration', tokenIssuer: 'https://api.botframework.com', loginUrl: 'https://127.0.0.1:9/botframework.com', oauthScope: 'https://api.botframework.com' };

describe('Teams authentication from configuration', () => {
  it('refuses to build the surface without MicrosoftAppId (it would answer anybody)', () => {
    const config = loadConfig({});
    expect(() => createTeamsSurface({ config, log: silentLogger })).toThrow(ConfigError);
    try {
      createTeamsSurface({ config, log: silentLogger });
    } catch (e) {
      expect((e as ConfigError).variable).toBe('MicrosoftAppId');
    }
  });

  it('passes the Bot Framework variable names through to the SDK, secrets included only when set', () => {
    const config = loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant', MicrosoftAppPassword: 'pw' });
    expect(sdkSettings(config.teams!)).toEqual({ MicrosoftAppId: 'app', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant', MicrosoftAppPassword: 'pw' });
    expect(sdkSettings(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI' }).teams!)).toEqual({ MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI' });
  });

  it('builds the public-cloud authentication for each app type without contacting anyone', () => {
    for (const env of [
      { MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw' },
      { MicrosoftAppId: 'app', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant' },
      { MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: 'tenant' },
    ]) {
      expect(createBotAuthentication(loadConfig(env).teams)).toBeDefined();
    }
  });

  it('refuses a custom cloud where it cannot obtain tokens', () => {
    expect(() => createBotAuthentication(loadConfig({ MicrosoftAppId: 'app', MicrosoftAppType: 'UserAssignedMSI' }).teams, cloud)).toThrow(/UserAssignedMSI works only in the public Azure cloud/);
    expect(() => createBotAuthentication(loadConfig({ MicrosoftAppId: 'app' }).teams, cloud)).toThrow(/MicrosoftAppPassword/);
  });
});
