#!/usr/bin/env node
/**
 * `npm run package:teams`: the app package a Teams admin uploads (Teams admin center → Manage apps →
 * Upload, or Teams → Apps → Manage your apps → Upload an app): manifest.json, color.png and
 * outline.png at the root of manifest/teams/krbops-teams.zip.
 *
 * Placeholders ${{NAME}} in manifest.json are filled from the environment:
 *   MicrosoftAppId             required: the Azure Bot registration's app ID (a GUID); it is also the Teams app ID
 *   KRBOPS_TEAMS_WEBSITE_URL   default https://example.com/krbops (https only; set your own)
 *   KRBOPS_TEAMS_PRIVACY_URL   default the website URL
 *   KRBOPS_TEAMS_TERMS_URL     default the website URL
 * Options: --out <file> (default manifest/teams/krbops-teams.zip).
 *
 * The zip is written by hand (node:zlib deflateRaw + CRC-32): no zip tool needed.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateRawSync } from 'node:zlib';

const HERE = dirname(fileURLToPath(import.meta.url));
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function fail(message) {
  process.stderr.write(`package:teams: ${message}\n`);
  process.exit(2);
}

/** A DOS date/time for the zip headers (fixed, so the same inputs give the same zip). */
const DOS_TIME = 0;
const DOS_DATE = ((2026 - 1980) << 9) | (1 << 5) | 1;

/** Builds a zip archive (deflate) of { name, data } entries, all at the root. */
export function zip(entries) {
  const locals = [];
  const centrals = [];
  let offset = 0;
  for (const { name, data } of entries) {
    const nameBytes = Buffer.from(name, 'utf8');
    const compressed = deflateRawSync(data, { level: 9 });
    const crc = crc32(data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, nameBytes, compressed);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // made by
    central.writeUInt16LE(20, 6); // needed
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(DOS_TIME, 12);
    central.writeUInt16LE(DOS_DATE, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt16LE(0, 30); // extra
    central.writeUInt16LE(0, 32); // comment
    central.writeUInt16LE(0, 34); // disk
    central.writeUInt16LE(0, 36); // internal attributes
    central.writeUInt32LE(0, 38); // external attributes
    central.writeUInt32LE(offset, 42);
    centrals.push(central, nameBytes);
    offset += local.length + nameBytes.length + compressed.length;
  }
  const centralDir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralDir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, centralDir, end]);
}

/** manifest.json with its ${{NAME}} placeholders filled; throws naming what is missing or wrong. */
export function fillManifest(template, env) {
  const appId = (env.MicrosoftAppId ?? '').trim();
  if (!appId) throw new Error('MicrosoftAppId is not set: export the Azure Bot registration’s app ID (a GUID) and run again');
  if (!GUID.test(appId)) throw new Error(`MicrosoftAppId "${appId.slice(0, 60)}" is not a GUID; Teams needs the bot's Microsoft App ID`);
  const website = env.KRBOPS_TEAMS_WEBSITE_URL || 'https://example.com/krbops';
  const values = {
    MicrosoftAppId: appId.toLowerCase(),
    KRBOPS_TEAMS_WEBSITE_URL: website,
    KRBOPS_TEAMS_PRIVACY_URL: env.KRBOPS_TEAMS_PRIVACY_URL || website,
    KRBOPS_TEAMS_TERMS_URL: env.KRBOPS_TEAMS_TERMS_URL || website,
  };
  for (const k of ['KRBOPS_TEAMS_WEBSITE_URL', 'KRBOPS_TEAMS_PRIVACY_URL', 'KRBOPS_TEAMS_TERMS_URL']) {
    if (!/^https:\/\/[^\s"]+$/.test(values[k])) throw new Error(`${k} must be an https:// URL (Teams refuses others)`);
  }
  const filled = template.replace(/\$\{\{(\w+)\}\}/g, (m, name) => {
    if (!(name in values)) throw new Error(`manifest.json has an unknown placeholder ${m}`);
    return values[name];
  });
  return JSON.stringify(JSON.parse(filled), null, 2) + '\n';
}

function main(argv) {
  const outIdx = argv.indexOf('--out');
  const out = outIdx >= 0 ? resolve(argv[outIdx + 1] ?? fail('--out needs a file name')) : join(HERE, 'krbops-teams.zip');
  let manifest;
  try {
    manifest = fillManifest(readFileSync(join(HERE, 'manifest.json'), 'utf8'), process.env);
  } catch (e) {
    fail(e.message);
  }
  const archive = zip([
    { name: 'manifest.json', data: Buffer.from(manifest, 'utf8') },
    { name: 'color.png', data: readFileSync(join(HERE, 'color.png')) },
    { name: 'outline.png', data: readFileSync(join(HERE, 'outline.png')) },
  ]);
  writeFileSync(out, archive);
  process.stdout.write(`wrote ${out} (${archive.length} bytes): upload it in the Teams admin center (Manage apps → Upload new app)\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main(process.argv.slice(2));
