/**
 * The `krbops` bin loads only what the command it runs needs (issue 15: start-up). Bundles the CLI
 * with the build's own esbuild options (build/bundle-options.mjs) and follows the static imports in
 * esbuild's metafile: what a process evaluates is cli.js and its static imports, then, when a
 * command runs, that command module's chunk and the directory kind it opens (dynamic imports).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error plain .mjs build script without types
import { bundleOptions } from '../../build/bundle-options.mjs';

let dir: string;
let meta: Metafile;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'krbops-bundle-'));
  const r = await build({ ...bundleOptions(dir), metafile: true, write: false, logLevel: 'silent' });
  meta = r.metafile!;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rel = (p: string) => path.relative(process.cwd(), path.resolve(p)).split(path.sep).join('/');

/** The output chunk built for a source module reached by a dynamic import (its own entry). */
function chunkOf(source: string): string {
  const out = Object.entries(meta.outputs).find(([, o]) => o.entryPoint && rel(o.entryPoint) === source);
  if (!out) throw new Error(`no chunk for ${source}`);
  return out[0];
}

/** Every source file evaluated when these chunks load: each chunk's inputs plus its static imports, transitively. */
function loaded(...chunks: string[]): Set<string> {
  const seen = new Set<string>();
  const inputs = new Set<string>();
  const visit = (o: string) => {
    if (seen.has(o)) return;
    seen.add(o);
    const out = meta.outputs[o]!;
    for (const i of Object.keys(out.inputs)) inputs.add(rel(i));
    for (const imp of out.imports) if (imp.kind === 'import-statement' && !imp.external) visit(imp.path);
  };
  chunks.forEach(visit);
  return inputs;
}

const cli = () => Object.keys(meta.outputs).find((o) => o.endsWith('/cli.js') && meta.outputs[o]!.entryPoint)!;
const pkg = (files: Set<string>, name: string) => [...files].some((f) => f.includes(`node_modules/${name}/`));
const COMMAND_MODULES = ['spn-list', 'spn-query', 'spn-dupes', 'adfs-check', 'krb-why-401', 'krb-explain', 'krb-etypes', 'krb-approvals'].map((m) => `commands/${m}.ts`);

describe('the bundled krbops bin', () => {
  it('starts with the command catalog and commander only: no command module, no zod, yaml, ldapts or rule catalog', () => {
    const files = loaded(cli());
    expect(files.has('commands/catalog.ts')).toBe(true);
    expect(pkg(files, 'commander')).toBe(true);
    for (const m of COMMAND_MODULES) expect(files.has(m), m).toBe(false);
    for (const p of ['zod', 'yaml', 'ldapts', 'fast-xml-parser']) expect(pkg(files, p), p).toBe(false);
    expect([...files].filter((f) => f.startsWith('src/rules/') || f.startsWith('src/store/'))).toEqual([]);
  });

  it('runs `spn query` with its own module and the LDAP directory: not the other commands, not zod, yaml or the LDIF reader', () => {
    const files = loaded(cli(), chunkOf('commands/spn-query.ts'), chunkOf('src/directory/ldap-directory.ts'));
    expect(files.has('commands/spn-query.ts')).toBe(true);
    expect(pkg(files, 'ldapts')).toBe(true);
    for (const m of COMMAND_MODULES.filter((m) => m !== 'commands/spn-query.ts')) expect(files.has(m), m).toBe(false);
    for (const p of ['zod', 'yaml', 'fast-xml-parser']) expect(pkg(files, p), p).toBe(false);
    expect(files.has('src/directory/ldif-directory.ts')).toBe(false);
    expect([...files].filter((f) => f.startsWith('src/rules/') || f.startsWith('src/store/'))).toEqual([]);
  });

  it('puts the rule catalog in the chunks of the commands that use it', () => {
    const why = loaded(chunkOf('commands/krb-why-401.ts'));
    expect([...why].some((f) => f.startsWith('src/rules/'))).toBe(true);
  });
});
