/**
 * The SQL store's base: the tiny driver interface both dialects implement, value helpers, and the
 * executor every table family (the other files of this folder) runs its statements through.
 * Parameters are always bound (`?`), never spliced into the text.
 */
import { StoreError } from '../../errors.js';
import type { StoreKind } from '../types.js';

export type SqlValue = string | number | boolean | null;

export interface SqlResult {
  rows: Record<string, unknown>[];
  changes: number;
}

export interface SqlExecutor {
  query(sql: string, params?: SqlValue[]): Promise<SqlResult>;
}

export interface SqlDriver extends SqlExecutor {
  readonly kind: StoreKind;
  readonly location: string;
  transaction<T>(fn: (ex: SqlExecutor) => Promise<T>): Promise<T>;
  /** Serialises migrations between processes starting at once (PostgreSQL: an advisory lock). */
  lockForMigration(ex: SqlExecutor): Promise<void>;
  close(): Promise<void>;
}

/** Rows per multi-row INSERT (well under SQLite's and PostgreSQL's bound-parameter limits). */
export const BATCH = 200;
/** Job runs older than this are pruned when a run of the same job finishes. */
export const RUN_RETENTION_MS = 30 * 24 * 3600_000;

export const json = (v: unknown): string | null => (v === undefined ? null : JSON.stringify(v));
/** A column value as text: the drivers return TEXT as string and INTEGER as number or bigint. */
export const cellText = (v: unknown): string => String(v);
export const parse = <T>(v: unknown): T | undefined => (v === null || v === undefined ? undefined : (JSON.parse(cellText(v)) as T));
export const str = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : cellText(v));
export const iso = (d: Date = new Date()) => d.toISOString();

/** The part of an SPN after its service class, lower case: `HTTP/crm.contoso.test` → `crm.contoso.test`. */
export function spnInstance(spn: string): string {
  const i = spn.indexOf('/');
  return (i < 0 ? spn : spn.slice(i + 1)).toLowerCase();
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export class Busy extends Error {}

/** Statements bound to one executor (the pool, or a transaction's connection); each table family extends it. */
export class SqlBase {
  constructor(
    protected readonly ex: SqlExecutor,
    protected readonly kind: StoreKind,
  ) {}

  protected async q(sql: string, params: SqlValue[] = []): Promise<SqlResult> {
    try {
      return await this.ex.query(sql, params);
    } catch (e) {
      if (e instanceof Busy || e instanceof StoreError) throw e;
      throw new StoreError(`The ${this.kind} store failed: ${(e as Error).message}`, e);
    }
  }

  protected bool(v: boolean | undefined): SqlValue {
    if (v === undefined) return null;
    return this.kind === 'sqlite' ? (v ? 1 : 0) : v;
  }
}
