/**
 * The lint step of `npm test` is real: the configuration has typed rules (a floating promise needs
 * the type checker to be seen), `npm test` runs it, and every `eslint-disable` says why.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const FIXTURE = 'test/fixtures/lint/floating-promise.ts';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || p === 'test/fixtures/lint' ? [] : sources(p);
    return /\.(ts|mjs|js)$/.test(e.name) ? [p] : [];
  });
}

describe('lint', () => {
  it('runs in npm test between the typecheck and vitest', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.test).toBe('npm run typecheck && npm run lint && vitest run');
    expect(pkg.scripts.lint).toMatch(/^eslint --max-warnings=0 \.$/);
  });

  it('reports a floating promise with the project configuration', async () => {
    // The fixture is in the ignore list so the project lint stays clean; lint it on purpose here,
    // with a program of this one file (the project's program would take the whole tree).
    const eslint = new ESLint({
      ignore: false,
      overrideConfig: { languageOptions: { parserOptions: { project: 'test/fixtures/lint/tsconfig.json' } } },
    });
    const [result] = await eslint.lintFiles([FIXTURE]);
    const found = result.messages.map((m) => `${m.line}:${m.ruleId ?? m.message}`);
    expect(found).toEqual(['10:@typescript-eslint/no-floating-promises']);
  }, 60_000);

  it('every eslint-disable comment gives its reason after --', () => {
    const bare = ['src', 'commands', 'cards', 'test', 'bench', 'build', 'manifest', 'playground']
      .flatMap(sources)
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .map((line, i) => ({ at: `${f}:${i + 1}`, line }))
          .filter(({ line }) => /(\/\/|\/\*)\s*eslint-disable/.test(line) && !/eslint-disable\S*\s.*\S\s--\s+\S/.test(line)),
      )
      .map(({ at }) => at);
    expect(bare).toEqual([]);
  });
});
