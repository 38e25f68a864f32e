/**
 * Demo mode: `npm start` with nothing configured serves the bundled demo domain (an LDIF export of
 * Contoso with the field reports' failure modes, examples/contoso.ldif, and recorded DNS/HTTP
 * answers, examples/krbops.yaml) on the local playground, with a banner that says so and names
 * the variables that switch to a real directory and chat.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Variables that mean "a real deployment": any of them turns demo mode off. */
export const REAL_SETUP_VARIABLES = ['LDAP_URL', 'SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'SLACK_APP_TOKEN', 'MicrosoftAppId'] as const;

/** Demo mode when nothing real is configured (and KRBOPS_DEMO is not `false`). */
export function isDemo(env: NodeJS.ProcessEnv): boolean {
  if (env.KRBOPS_DEMO === 'false') return false;
  if (env.KRBOPS_DEMO === 'true') return true;
  return REAL_SETUP_VARIABLES.every((v) => !env[v]);
}

/** examples/ of the package; relative to the working directory when inside it (answers show the path). */
function examplesDir(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'examples', 'contoso.ldif')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const abs = path.join(dir, 'examples');
  const rel = path.relative(process.cwd(), abs);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : abs;
}

/** The environment of demo mode: the demo export and inventory, a demo admin, the playground, an in-memory store. */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ex = examplesDir();
  return {
    ...env,
    KRBOPS_DEMO: 'true',
    LDAP_URL: env.LDAP_URL || `file:${path.join(ex, 'contoso.ldif')}`,
    KRBOPS_INVENTORY: env.KRBOPS_INVENTORY || path.join(ex, 'krbops.yaml'),
    KRBOPS_ADMINS: env.KRBOPS_ADMINS || 'demo-admin',
    KRBOPS_PLAYGROUND: env.KRBOPS_PLAYGROUND || 'true',
    // Demo requests live as long as the process: nothing is left behind.
    KRBOPS_DB: env.KRBOPS_DB || ':memory:',
  };
}

/** The start banner of demo mode. */
export function demoBanner(url: string): string {
  const bar = '='.repeat(78);
  return [
    bar,
    '  krbops DEMO MODE: every answer comes from DEMO DATA (the made-up contoso.com of',
    '  examples/contoso.ldif, with DNS and HTTP answers recorded in examples/krbops.yaml).',
    `  Playground: ${url}/  (type "krb why-401 http://crm.contoso.com")`,
    '',
    '  To use your own domain and chat, set (see README.md, Configuration):',
    '    LDAP_URL, LDAP_BIND_DN, LDAP_BIND_PASSWORD   a DC (ldaps://dc1.example.com:636)',
    '      or LDAP_URL=file:./export.ldif            an export (`krbops export-ldif`)',
    '    SLACK_BOT_TOKEN + SLACK_SIGNING_SECRET       Slack (or SLACK_APP_TOKEN: Socket Mode)',
    '    MicrosoftAppId + MicrosoftAppPassword        Teams',
    '  Any of them turns demo mode off; KRBOPS_DEMO=false turns it off explicitly.',
    bar,
  ].join('\n');
}
