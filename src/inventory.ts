/**
 * The optional inventory (`krbops.yaml`, path in KRBOPS_INVENTORY): what on-call engineers should
 * not have to know — for each site URL, the app-pool identity, the NLB nodes behind it, the
 * backends it delegates to and the IIS site name used in fix commands.
 *
 * ```yaml
 * sites:
 *   - url: http://crm.contoso.com/
 *     identity: CONTOSO\crmweb
 *     iisSite: Microsoft Dynamics CRM
 *     nlbNodes: [ndcrmsrv1.contoso.com, ndcrmsrv2.contoso.com]
 *     backends: [MSSQLSvc/ndsqlsrv1.contoso.com:1433]
 *     recorded:            # optional: DNS/HTTP answers used instead of live ones (the demo domain)
 *       source: demo data
 *       dns: { addresses: [10.0.0.50], ptr: { 10.0.0.50: [crmnlb.contoso.com] } }
 *       http: { status: 401, wwwAuthenticate: [Negotiate, NTLM] }
 * ```
 */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseSpn } from './spn/parse.js';

const name = z.string().min(1).max(255);
/** DNS and HTTP answers recorded instead of asked live (the demo domain); labelled as recorded in every answer. */
const recorded = z
  .object({
    /** Where the recording comes from, shown with it ("demo data from the field reports"). */
    source: z.string().min(1).max(200).optional(),
    dns: z
      .object({
        /** [name queried, …CNAME targets, canonical name]; default just the URL host. */
        chain: z.array(name).max(8).optional(),
        addresses: z.array(z.string().regex(/^[0-9a-fA-F.:]+$/, 'is not an IP address').max(45)).max(8).default([]),
        /** Address → PTR names. */
        ptr: z.record(z.string().max(45), z.array(name).max(8)).default({}),
      })
      .strict()
      .optional(),
    http: z
      .object({
        status: z.number().int().min(100).max(599),
        statusText: z.string().max(200).optional(),
        httpVersion: z.enum(['1.0', '1.1']).optional(),
        wwwAuthenticate: z.array(z.string().max(2000)).max(16).default([]),
        connection: z.string().max(200).optional(),
        persistentAuth: z.string().max(200).optional(),
        server: z.string().max(200).optional(),
        location: z.string().max(2048).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const site = z.object({
  url: z.string().min(1).max(2048),
  identity: z.string().min(1).max(256).optional(),
  iisSite: z.string().min(1).max(256).optional(),
  nlbNodes: z.array(z.string().min(1).max(255)).max(64).default([]),
  backends: z
    .array(z.string().min(1).max(2048))
    .max(64)
    .default([])
    .superRefine((list, ctx) => {
      for (const [i, s] of list.entries()) {
        try {
          parseSpn(s);
        } catch (e) {
          ctx.addIssue({ code: 'custom', path: [i], message: (e as Error).message });
        }
      }
    }),
  recorded: recorded.optional(),
});

// `access:` is the access policy (src/policy/config.ts reads it at start).
const schema = z.object({ sites: z.array(site).max(10_000).default([]), access: z.unknown().optional() }).strict();

export type InventorySite = z.infer<typeof site>;
export interface Inventory {
  file: string;
  sites: InventorySite[];
}

/** Parses and validates inventory text. Throws ConfigError('KRBOPS_INVENTORY') naming the bad entry. */
export function parseInventory(text: string, file = 'krbops.yaml'): Inventory {
  let raw: unknown;
  try {
    raw = parse(text, { maxAliasCount: 100 }) ?? {};
  } catch (e) {
    throw new ConfigError('KRBOPS_INVENTORY', `${file} is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new ConfigError('KRBOPS_INVENTORY', `${file}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'not valid'}`);
  }
  for (const [i, s] of r.data.sites.entries()) {
    try {
      new URL(/^[a-z]+:\/\//i.test(s.url) ? s.url : `http://${s.url}`);
    } catch {
      throw new ConfigError('KRBOPS_INVENTORY', `${file}: sites.${i}.url: "${s.url.slice(0, 80)}" is not a URL`);
    }
  }
  return { file, sites: r.data.sites };
}

let cache: { file: string; mtimeMs: number; inventory: Inventory } | undefined;

/** Reads the inventory file (cached until it changes). */
export async function loadInventory(file: string): Promise<Inventory> {
  let st;
  try {
    st = await stat(file);
  } catch (e) {
    throw new ConfigError('KRBOPS_INVENTORY', `${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (cache && cache.file === file && cache.mtimeMs === st.mtimeMs) return cache.inventory;
  const inventory = parseInventory(await readFile(file, 'utf8'), file);
  cache = { file, mtimeMs: st.mtimeMs, inventory };
  return inventory;
}

const keyOf = (u: URL) => `${u.protocol}//${u.hostname.toLowerCase().replace(/\.$/, '')}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;

/** The inventory entry for a URL: same scheme, host and port, longest matching path prefix. */
export function findSite(inventory: Inventory, url: URL): InventorySite | undefined {
  let best: { s: InventorySite; len: number } | undefined;
  for (const s of inventory.sites) {
    let u: URL;
    try {
      u = new URL(/^[a-z]+:\/\//i.test(s.url) ? s.url : `http://${s.url}`);
    } catch {
      continue;
    }
    if (keyOf(u) !== keyOf(url)) continue;
    const p = u.pathname.replace(/\/$/, '').toLowerCase();
    const target = url.pathname.toLowerCase();
    if (p && target !== p && !target.startsWith(`${p}/`)) continue;
    if (!best || p.length > best.len) best = { s, len: p.length };
  }
  return best?.s;
}
