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
 * ```
 */
import { readFile, stat } from 'node:fs/promises';
import { parse } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { parseSpn } from './spn/parse.js';

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
    throw new ConfigError('KRBOPS_INVENTORY', `${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
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
