/**
 * Pasted IIS configuration → IisEvidence. Accepts what engineers actually paste:
 * - `appcmd list config -section:system.webServer/security/authentication/windowsAuthentication` (XML),
 * - an `applicationHost.config` fragment (`<location path="Default Web Site/CRM">…`, `<httpProtocol>`,
 *   `<applicationPools>`),
 * - `appcmd list config … /text:*` output (`useKernelMode:"true"` lines),
 * - any of the above mangled by chat (quotes stripped, smart quotes): read loosely by attribute name.
 * Parsed with fast-xml-parser, entities off and DOCTYPE refused (no entity expansion from pasted text).
 * Passwords in processModel are never kept.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { IisAuthSection, IisEvidence } from '../model/index.js';

/** Longest configuration text accepted (a whole applicationHost.config is ~100 KB; fragments are small). */
export const MAX_IIS_CONFIG_LENGTH = 512 * 1024;

type Node = Record<string, unknown>;

const BOOL_ATTRS = ['enabled', 'useKernelMode', 'useAppPoolCredentials', 'authPersistNonNTLM'] as const;

const parseBool = (v: unknown): boolean | undefined => {
  if (typeof v !== 'string') return undefined;
  const t = v.trim().toLowerCase();
  return t === 'true' ? true : t === 'false' ? false : undefined;
};

/** Normalises chat damage: smart quotes, non-breaking spaces, HTML-escaped angle brackets from Teams. */
function clean(text: string): string {
  return text
    .replace(/[“”„″]/g, '"')
    .replace(/[‘’‚′]/g, "'")
    .replace(/\u00a0/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/^\uFEFF/, '')
    .replace(/<\?xml[^>]*\?>/g, '')
    .trim();
}

function tagName(n: Node): string | undefined {
  return Object.keys(n).find((k) => k !== ':@' && k !== '#text');
}
const attrsOf = (n: Node): Record<string, string> => ((n[':@'] as Record<string, string>) ?? {});
const childrenOf = (n: Node, tag: string): Node[] => (Array.isArray(n[tag]) ? (n[tag] as Node[]) : []);

function readProviders(nodes: Node[]): string[] {
  const list: string[] = [];
  for (const n of nodes) {
    const t = tagName(n)?.toLowerCase();
    const value = attrsOf(n).value;
    if (t === 'clear') list.length = 0;
    else if (t === 'add' && value) list.push(value.trim());
    else if (t === 'remove' && value) {
      const i = list.findIndex((p) => p.toLowerCase() === value.trim().toLowerCase());
      if (i >= 0) list.splice(i, 1);
    }
  }
  return list;
}

function sectionFrom(n: Node, location: string | undefined): IisAuthSection {
  const a = attrsOf(n);
  const s: IisAuthSection = {};
  if (location !== undefined) s.location = location;
  for (const k of BOOL_ATTRS) {
    const key = Object.keys(a).find((x) => x.toLowerCase() === k.toLowerCase());
    const v = key ? parseBool(a[key]) : undefined;
    if (v !== undefined) s[k] = v;
  }
  const tag = tagName(n)!;
  const providers = childrenOf(n, tag).find((c) => tagName(c)?.toLowerCase() === 'providers');
  if (providers) s.providers = readProviders(childrenOf(providers, tagName(providers)!));
  return s;
}

interface Walked {
  sections: IisAuthSection[];
  allowKeepAlive?: boolean;
  appPools: IisEvidence['appPools'];
}

function walk(nodes: Node[], location: string | undefined, out: Walked, appPoolContext = false): void {
  for (const n of nodes) {
    const tag = tagName(n);
    if (!tag) continue;
    const lower = tag.toLowerCase();
    const attrs = attrsOf(n);
    if (lower === 'windowsauthentication') {
      out.sections.push(sectionFrom(n, location));
      continue;
    }
    if (lower === 'httpprotocol') {
      const v = parseBool(attrs.allowKeepAlive);
      if (v !== undefined) out.allowKeepAlive = v;
    }
    if (appPoolContext && lower === 'add' && attrs.name) {
      const pm = childrenOf(n, tag).find((c) => tagName(c)?.toLowerCase() === 'processmodel');
      const pma = pm ? attrsOf(pm) : {};
      out.appPools.push({ name: attrs.name, ...(pma.identityType ? { identityType: pma.identityType } : {}), ...(pma.userName ? { userName: pma.userName } : {}) });
      continue;
    }
    const nextLocation = lower === 'location' && attrs.path !== undefined ? attrs.path : location;
    walk(childrenOf(n, tag), nextLocation, out, lower === 'applicationpools');
  }
}

/** Reads `attr:"value"` / `attr="value"` / `attr=value` lines when the text is not XML. */
function parseLoose(text: string): Walked & { format: 'appcmd-text' | 'loose' } {
  const format = /CONFIG\.SECTION:|^\s*\[system\.webServer/m.test(text) ? 'appcmd-text' : 'loose';
  const w: Walked = { sections: [], appPools: [] };
  // Only the windowsAuthentication part when other sections were pasted too.
  const start = text.search(/windowsAuthentication/i);
  const body = start >= 0 ? text.slice(start) : text;
  const end = body.slice(1).search(/\[system\.webServer\/(?!security\/authentication\/windowsAuthentication)|<\/windowsAuthentication>/i);
  const part = end >= 0 ? body.slice(0, end + 1) : body;
  const s: IisAuthSection = {};
  const path = /path\s*:\s*"MACHINE\/WEBROOT\/APPHOST\/([^"]+)"/i.exec(text);
  if (path) s.location = path[1];
  for (const k of BOOL_ATTRS) {
    const m = new RegExp(`\\b${k}\\s*[:=]\\s*["']?(true|false)\\b`, 'i').exec(part);
    if (m) s[k] = m[1]!.toLowerCase() === 'true'; // (true|false) always captures
  }
  const providers = [...part.matchAll(/\bvalue\s*[:=]\s*["']?([A-Za-z0-9:]+)/g)].flatMap((m) => m.slice(1, 2));
  if (providers.length) s.providers = providers;
  const keep = /\ballowKeepAlive\s*[:=]\s*["']?(true|false)\b/i.exec(text);
  if (keep) w.allowKeepAlive = keep[1]!.toLowerCase() === 'true'; // (true|false) always captures
  if (Object.keys(s).length) w.sections.push(s);
  return { ...w, format };
}

/** Merges sections: server level first, then locations from the shortest path to the longest. */
export function mergeSections(sections: IisAuthSection[]): IisAuthSection {
  const ordered = [...sections].sort((a, b) => (a.location?.length ?? -1) - (b.location?.length ?? -1));
  const eff: IisAuthSection = {};
  for (const s of ordered) {
    for (const [k, v] of Object.entries(s)) if (v !== undefined) (eff as Record<string, unknown>)[k] = v;
  }
  return eff;
}

/**
 * Parses pasted IIS configuration. Never throws: unreadable text gives `ok: false` with the reason.
 * @param source 'option' (pasted with --iis) or 'file' (--iis-config on the CLI).
 */
export function parseIisConfig(input: string, source: IisEvidence['source'] = 'option'): IisEvidence {
  const empty = (format: IisEvidence['format'], message: string, code = 'IIS_CONFIG_UNREADABLE'): IisEvidence => ({
    ok: false,
    error: { collector: 'iis', code, message },
    source,
    format,
    sections: [],
    effective: {},
    appPools: [],
    warnings: [],
  });
  if (input.length > MAX_IIS_CONFIG_LENGTH) return empty('loose', `The IIS configuration is ${input.length} characters; the limit is ${MAX_IIS_CONFIG_LENGTH}.`, 'INVALID_INPUT');
  const text = clean(input);
  if (!text) return empty('loose', 'The IIS configuration is empty.', 'INVALID_INPUT');
  if (/<!DOCTYPE|<!ENTITY/i.test(text)) return empty('xml', 'The IIS configuration contains a DOCTYPE/ENTITY declaration; paste the section itself.', 'INVALID_INPUT');
  const warnings: string[] = [];
  let walked: Walked | undefined;
  let format: IisEvidence['format'] = 'xml';
  if (text.startsWith('<')) {
    const wrapped = `<krbops-paste>${text}</krbops-paste>`;
    if (XMLValidator.validate(wrapped) === true) {
      const parser = new XMLParser({
        preserveOrder: true,
        ignoreAttributes: false,
        attributeNamePrefix: '',
        processEntities: false,
        htmlEntities: false,
        parseAttributeValue: false,
        parseTagValue: false,
        allowBooleanAttributes: true,
      });
      walked = { sections: [], appPools: [] };
      walk(parser.parse(wrapped) as Node[], undefined, walked);
    } else {
      warnings.push('The pasted text is not well-formed XML (chat may have removed quotes); read it attribute by attribute.');
    }
  }
  if (!walked || (!walked.sections.length && walked.allowKeepAlive === undefined && !walked.appPools.length)) {
    const loose = parseLoose(text);
    if (loose.sections.length || loose.allowKeepAlive !== undefined) {
      walked = loose;
      format = walked === loose && !text.startsWith('<') ? loose.format : 'loose';
    }
  }
  if (!walked || (!walked.sections.length && walked.allowKeepAlive === undefined && !walked.appPools.length)) {
    return { ...empty(format, 'No windowsAuthentication settings found in the pasted IIS configuration. Paste the output of: appcmd list config -section:system.webServer/security/authentication/windowsAuthentication'), warnings };
  }
  const sites = new Set(walked.sections.map((s) => s.location?.split('/')[0]).filter(Boolean));
  if (sites.size > 1) warnings.push(`Settings for several sites were pasted (${[...sites].join(', ')}); they are merged, the longest path last.`);
  return {
    ok: true,
    source,
    format,
    sections: walked.sections,
    effective: mergeSections(walked.sections),
    ...(walked.allowKeepAlive !== undefined ? { allowKeepAlive: walked.allowKeepAlive } : {}),
    appPools: walked.appPools,
    warnings,
  };
}
