/**
 * The Teams app package: manifest.json (schema 1.22 rules Teams enforces on upload), the icons
 * (sizes, outline white on transparent), the commands it suggests (each one reaches a registry
 * command), and `npm run package:teams` (a zip with the three files at its root).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateRawSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.js';
import { planTeamsMessage } from '../../../src/surfaces/teams/index.js';

const DIR = 'manifest/teams';
const manifest = JSON.parse(readFileSync(join(DIR, 'manifest.json'), 'utf8'));

/** Decodes an 8-bit RGBA, non-interlaced PNG (what draw-icons.mjs writes), all filter types. */
function decodePng(buf: Buffer): { width: number; height: number; colorType: number; rgba: Buffer } {
  expect(buf.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  let i = 8;
  let width = 0, height = 0, colorType = -1;
  const idat: Buffer[] = [];
  while (i < buf.length) {
    const len = buf.readUInt32BE(i);
    const type = buf.toString('ascii', i + 4, i + 8);
    const data = buf.subarray(i + 8, i + 8 + len);
    expect(buf.readUInt32BE(i + 8 + len)).toBe(crc32(buf.subarray(i + 4, i + 8 + len)) >>> 0);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      expect(data[8]).toBe(8);
      colorType = data[9];
      expect(data[12]).toBe(0);
    }
    if (type === 'IDAT') idat.push(data);
    i += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * 4;
  const out = Buffer.alloc(stride * height);
  for (let y = 0; y < height; y++) {
    const f = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= 4 ? out[y * stride + x - 4] : 0;
      const b = y > 0 ? out[(y - 1) * stride + x] : 0;
      const c = x >= 4 && y > 0 ? out[(y - 1) * stride + x - 4] : 0;
      const p = a + b - c;
      const pr = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      out[y * stride + x] = (v + [0, a, b, (a + b) >> 1, pr][f]) & 0xff;
    }
  }
  return { width, height, colorType, rgba: out };
}

/** Reads a zip's central directory and inflates every entry, checking CRCs. */
function readZip(buf: Buffer): Map<string, Buffer> {
  const eocd = buf.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  expect(eocd).toBeGreaterThan(0);
  const count = buf.readUInt16LE(eocd + 10);
  let p = buf.readUInt32LE(eocd + 16);
  const files = new Map<string, Buffer>();
  for (let n = 0; n < count; n++) {
    expect(buf.readUInt32LE(p)).toBe(0x02014b50);
    const method = buf.readUInt16LE(p + 10);
    const crc = buf.readUInt32LE(p + 16);
    const csize = buf.readUInt32LE(p + 20);
    const nameLen = buf.readUInt16LE(p + 28);
    const extra = buf.readUInt16LE(p + 30);
    const comment = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nameLen);
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const body = buf.subarray(start, start + csize);
    const data = method === 8 ? inflateRawSync(body) : body;
    expect(crc32(data) >>> 0).toBe(crc);
    files.set(name, data);
    p += 46 + nameLen + extra + comment;
  }
  return files;
}

describe('manifest.json', () => {
  it('uses a current schema and declares the bot in personal, team and group chat scopes', () => {
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${manifest.manifestVersion}/MicrosoftTeams.schema.json`);
    expect(Number(manifest.manifestVersion)).toBeGreaterThanOrEqual(1.17);
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.id).toBe('${{MicrosoftAppId}}');
    expect(manifest.bots).toHaveLength(1);
    expect(manifest.bots[0].botId).toBe('${{MicrosoftAppId}}');
    expect([...manifest.bots[0].scopes].sort()).toEqual(['groupChat', 'personal', 'team']);
    expect(manifest.validDomains).toContain('token.botframework.com');
    expect(manifest.icons).toEqual({ color: 'color.png', outline: 'outline.png' });
    expect(manifest.accentColor).toMatch(/^#[0-9A-F]{6}$/i);
  });

  it('keeps within the lengths Teams enforces on upload', () => {
    expect(manifest.name.short.length).toBeLessThanOrEqual(30);
    expect(manifest.name.full.length).toBeLessThanOrEqual(100);
    expect(manifest.description.short.length).toBeLessThanOrEqual(80);
    expect(manifest.description.full.length).toBeLessThanOrEqual(4000);
    for (const list of manifest.bots[0].commandLists) {
      expect(list.commands.length).toBeLessThanOrEqual(10);
      for (const c of list.commands) {
        expect(c.title.length).toBeLessThanOrEqual(32);
        expect(c.description.length).toBeLessThanOrEqual(128);
      }
    }
  });

  it('suggests only commands the bot understands, and every command of the registry', async () => {
    const titles: string[] = manifest.bots[0].commandLists.flatMap((l: { commands: { title: string }[] }) => l.commands.map((c) => c.title));
    const reached = new Set<string>();
    for (const title of titles) {
      const plan = planTeamsMessage(commands, title);
      if (plan.type === 'run') reached.add(plan.command.path.join(' '));
      else if (plan.type === 'error') {
        // A suggestion without its argument answers with that command's usage, not "unknown command".
        expect(plan.error.code).toBe('COMMAND_USAGE');
        expect(plan.error.message).not.toMatch(/^Unknown command/);
        expect(plan.error.usage).toMatch(new RegExp(`^Usage: ${title}`));
        reached.add(title);
      } else expect(title).toBe('krb help');
    }
    // Each registry command is offered under its own words or as an alias of the same command spec.
    const runs = new Map(await Promise.all(commands.map(async (c) => [c, (await c.load()).run] as const)));
    for (const c of commands) {
      const same = commands.filter((o) => runs.get(o) === runs.get(c)).map((o) => o.path.join(' '));
      expect(same.some((p) => reached.has(p)), `${c.path.join(' ')} is not suggested in manifest.json`).toBe(true);
    }
  });
});

describe('icons', () => {
  it('color.png is 192×192 RGBA', () => {
    const png = decodePng(readFileSync(join(DIR, 'color.png')));
    expect([png.width, png.height, png.colorType]).toEqual([192, 192, 6]);
  });

  it('outline.png is 32×32, white on transparent, with a visible symbol', () => {
    const png = decodePng(readFileSync(join(DIR, 'outline.png')));
    expect([png.width, png.height, png.colorType]).toEqual([32, 32, 6]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < png.rgba.length; i += 4) {
      const [r, g, b, a] = png.rgba.subarray(i, i + 4);
      if (a > 0) expect([r, g, b]).toEqual([255, 255, 255]);
      if (a === 255) opaque++;
      if (a === 0) transparent++;
    }
    expect(opaque).toBeGreaterThan(100);
    expect(transparent).toBeGreaterThan(500);
  });

  it('are what draw-icons.mjs draws (the committed files are not hand-edited)', async () => {
    const { drawColor, drawOutline } = (await import('../../../manifest/teams/draw-icons.mjs' as string)) as { drawColor: () => Buffer; drawOutline: () => Buffer };
    expect(drawColor().equals(readFileSync(join(DIR, 'color.png')))).toBe(true);
    expect(drawOutline().equals(readFileSync(join(DIR, 'outline.png')))).toBe(true);
  });
});

describe('npm run package:teams', () => {
  const appId = '3D5F7A1C-0B1E-4C8A-9F00-6B7A2C4D1E90';

  it('zips manifest.json with the app ID filled in and both icons, at the root', () => {
    const out = join(mkdtempSync(join(tmpdir(), 'krbops-teams-pkg-')), 'krbops-teams.zip');
    execFileSync(process.execPath, [join(DIR, 'package.mjs'), '--out', out], { env: { ...process.env, MicrosoftAppId: appId, KRBOPS_TEAMS_WEBSITE_URL: 'https://it.contoso.test/krbops' }, stdio: 'pipe' });
    const files = readZip(readFileSync(out));
    expect([...files.keys()]).toEqual(['manifest.json', 'color.png', 'outline.png']);
    const m = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(m.id).toBe(appId.toLowerCase());
    expect(m.bots[0].botId).toBe(appId.toLowerCase());
    expect(m.developer).toEqual({ name: 'krbops', websiteUrl: 'https://it.contoso.test/krbops', privacyUrl: 'https://it.contoso.test/krbops', termsOfUseUrl: 'https://it.contoso.test/krbops' });
    expect(JSON.stringify(m)).not.toContain('${{');
    expect(files.get('color.png')!.equals(readFileSync(join(DIR, 'color.png')))).toBe(true);
    expect(files.get('outline.png')!.equals(readFileSync(join(DIR, 'outline.png')))).toBe(true);
  });

  it('refuses to build without a GUID app ID, saying which variable', () => {
    const env = { ...process.env };
    delete env.MicrosoftAppId;
    const none = spawnSync(process.execPath, [join(DIR, 'package.mjs'), '--out', join(tmpdir(), 'never.zip')], { env, encoding: 'utf8' });
    expect(none.status).toBe(2);
    expect(none.stderr).toContain('MicrosoftAppId is not set');
    const bad = spawnSync(process.execPath, [join(DIR, 'package.mjs'), '--out', join(tmpdir(), 'never.zip')], { env: { ...env, MicrosoftAppId: 'crm-bot' }, encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('is not a GUID');
  });
});
