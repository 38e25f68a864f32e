/**
 * The esbuild options of the `krbops` bin (build/bundle-cli.mjs), shared with the test that checks
 * which chunks a command loads (test/cli/bundle.test.ts).
 *
 * `splitting` makes every dynamic import() its own chunk: the registry imports each command module
 * lazily (commands/index.ts), the directory opener each directory kind (src/directory/open.ts), so a
 * run loads cli.js, what it imports statically, and the chunks of the one command it runs.
 */
import { readFileSync } from 'node:fs';

/** Pure-JS libraries inlined into the bundle; native and server-only packages stay in node_modules. */
export const INLINE = new Set(['zod', 'commander', 'ldapts', 'yaml', 'fast-xml-parser']);

export function bundleOptions(outdir) {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  return {
    // The LDIF index's worker thread is a program of its own (src/directory/ldif-parallel.ts finds it).
    entryPoints: { cli: new URL('./cli-entry.ts', import.meta.url).pathname, 'ldif-worker': new URL('../src/directory/ldif-worker.ts', import.meta.url).pathname },
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    outdir,
    chunkNames: 'chunks/[name]-[hash]',
    external: Object.keys(pkg.dependencies).filter((d) => !INLINE.has(d)),
    minifySyntax: true,
    minifyWhitespace: true,
    legalComments: 'none',
    logLevel: 'warning',
    // Bundled CommonJS (e.g. inside a library) may still call require().
    banner: { js: "import { createRequire as __krbopsRequire } from 'node:module'; const require = __krbopsRequire(import.meta.url);" },
  };
}
