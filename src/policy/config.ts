/**
 * The access policy from the environment and the `access:` section of `krbops.yaml`
 * (KRBOPS_INVENTORY). Read once at start; every error names its variable or file.
 *
 *   KRBOPS_ALLOW_CHANNELS   channels where directory commands run: `C0123`, `slack:C0123`,
 *                           `teams:19:…@thread.tacv2`, `team:19:…`, `*` (any channel)
 *   KRBOPS_ALLOW_DMS        `true`: directory commands in direct messages too
 *   KRBOPS_ALLOW_USERS      chat IDs allowed to run them (`slack:U0123`, `teams:<object id>`)
 *   KRBOPS_ALLOW_GROUP_DNS  AD groups allowed to run them, separated by `;` (DNs contain commas)
 *   KRBOPS_ACCESS_CONTACT   whom refusals tell people to ask
 *   KRBOPS_IDENTITY_CACHE_MINUTES  how long an e-mail → AD group lookup is trusted (default 10)
 *
 * ```yaml
 * access:
 *   contact: "#identity-team"
 *   rules:
 *     - commands: [spn, why-401]
 *       channels: [slack:C0INCIDENT, dm]
 *       groups: ["CN=Kerberos Ops,OU=Groups,DC=contoso,DC=com"]
 * ```
 * `help` and `krb explain` are open to everyone everywhere; the rules add to that.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { ConfigError } from '../errors.js';
import { CAPABILITIES, DIRECTORY_CAPABILITIES, OPEN_CAPABILITIES, type AccessPolicy, type AccessRule, type Capability } from './types.js';

const csv = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const semi = (v: string | undefined) => (v ?? '').split(';').map((s) => s.trim()).filter(Boolean);

/** A DN as far as a policy needs to check: `CN=…` pairs separated by commas, no filter characters. */
const GROUP_DN = /^(?:[A-Za-z][A-Za-z0-9-]*=[^,=()*\\\0]+)(?:,\s*[A-Za-z][A-Za-z0-9-]*=[^,=()*\\\0]+)*$/;
/** Chat IDs and channel IDs: no spaces, no control characters. */
const CHAT_ID = /^(?:\*|[\w.@:;=+/-]{1,200})$/;

function groupDn(variable: string, dn: string): string {
  if (!GROUP_DN.test(dn)) throw new ConfigError(variable, `"${dn.slice(0, 80)}" is not a group DN (CN=Kerberos Ops,OU=Groups,DC=contoso,DC=com)`);
  return dn;
}

function chatRef(variable: string, ref: string): string {
  if (!CHAT_ID.test(ref)) throw new ConfigError(variable, `"${ref.slice(0, 80)}" is not a chat ID`);
  return ref;
}

interface AccessSection {
  contact?: string;
  rules: { commands: Capability[]; channels: string[]; users: string[]; groups: string[] }[];
}

/**
 * yaml and zod (≈ 1 MB of JavaScript) are loaded only when an inventory file is configured: every
 * CLI run reads the configuration, and most have no file (issue 15: start-up). Synchronous, like
 * the rest of the configuration.
 */
let schema: { parse: typeof import('yaml').parse; section: ReturnType<typeof sectionSchemaOf> } | undefined;
function sectionSchemaOf(z: typeof import('zod').z) {
  const ruleSchema = z
    .object({
      commands: z.array(z.enum(CAPABILITIES)).min(1),
      channels: z.array(z.string().min(1).max(200)).default([]),
      users: z.array(z.string().min(1).max(200)).default([]),
      groups: z.array(z.string().min(1).max(1000)).default([]),
    })
    .strict();
  return z
    .object({
      contact: z.string().min(1).max(200).optional(),
      rules: z.array(ruleSchema).max(200).default([]),
    })
    .strict();
}
function fileSchema(): NonNullable<typeof schema> {
  if (!schema) {
    const load = createRequire(import.meta.url);
    schema = { parse: (load('yaml') as typeof import('yaml')).parse, section: sectionSchemaOf((load('zod') as typeof import('zod')).z) };
  }
  return schema;
}

/** The `access:` section of the inventory file, or undefined when the file has none. */
export function readAccessSection(file: string): AccessSection | undefined {
  const { parse, section: sectionSchema } = fileSchema();
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError('KRBOPS_INVENTORY', `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const section = (doc as { access?: unknown } | null)?.access;
  if (section === undefined) return undefined;
  const r = sectionSchema.safeParse(section);
  if (!r.success) {
    const i = r.error.issues[0];
    throw new ConfigError('KRBOPS_INVENTORY', `access.${i?.path.join('.')}: ${i?.message ?? 'invalid'} in ${file}`);
  }
  return r.data;
}

/** Reads the policy. Throws ConfigError naming the variable (or KRBOPS_INVENTORY for the file). */
export function loadAccessPolicy(env: NodeJS.ProcessEnv): AccessPolicy {
  const channels = csv(env.KRBOPS_ALLOW_CHANNELS).map((c) => chatRef('KRBOPS_ALLOW_CHANNELS', c));
  const dmsRaw = env.KRBOPS_ALLOW_DMS ?? '';
  if (!['', 'true', 'false'].includes(dmsRaw)) throw new ConfigError('KRBOPS_ALLOW_DMS', 'must be true or false');
  const users = csv(env.KRBOPS_ALLOW_USERS).map((u) => chatRef('KRBOPS_ALLOW_USERS', u));
  const groups = semi(env.KRBOPS_ALLOW_GROUP_DNS).map((g) => groupDn('KRBOPS_ALLOW_GROUP_DNS', g));
  const minutesRaw = env.KRBOPS_IDENTITY_CACHE_MINUTES || '10';
  if (!/^\d+$/.test(minutesRaw) || Number(minutesRaw) < 1 || Number(minutesRaw) > 1440) throw new ConfigError('KRBOPS_IDENTITY_CACHE_MINUTES', 'must be a whole number of minutes between 1 and 1440');

  const rules: AccessRule[] = [{ commands: [...OPEN_CAPABILITIES], channels: ['*', 'dm'], users: [], groups: [] }];
  const sources = ['default: help and krb explain for everyone'];
  // Naming people without naming channels opens the commands in any channel (not DMs) to them.
  const where = [...(channels.length ? channels : users.length || groups.length ? ['*'] : []), ...(dmsRaw === 'true' ? ['dm'] : [])];
  if (where.length) {
    rules.push({ commands: [...DIRECTORY_CAPABILITIES], channels: where, users, groups });
    sources.push('environment: KRBOPS_ALLOW_*');
  }

  let contact = env.KRBOPS_ACCESS_CONTACT?.trim() || undefined;
  if (env.KRBOPS_INVENTORY) {
    const section = readAccessSection(env.KRBOPS_INVENTORY);
    if (section) {
      for (const r of section.rules) {
        r.channels.forEach((c) => chatRef('KRBOPS_INVENTORY', c));
        r.users.forEach((u) => chatRef('KRBOPS_INVENTORY', u));
        r.groups.forEach((g) => groupDn('KRBOPS_INVENTORY', g));
        rules.push({ commands: r.commands as Capability[], channels: r.channels, users: r.users, groups: r.groups });
      }
      if (section.rules.length) sources.push(`${env.KRBOPS_INVENTORY}: access.rules (${section.rules.length})`);
      contact ??= section.contact;
    }
  }
  return { rules, contact, identityCacheMs: Number(minutesRaw) * 60_000, sources };
}
