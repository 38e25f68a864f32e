/** Table family `spn_owners` and `spn_keys`: the duplicate watch's last view of each account's SPNs. */
import type { SpnOwner } from '../types.js';
import { BATCH, chunks, parse, spnInstance, str } from './base.js';
import { ConversationOps } from './conversations.js';

export class SpnOwnerOps extends ConversationOps {
  // ── SPN owners ──
  async upsertSpnOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    if (!owners.length) return;
    await this.deleteSpnOwners(scope, owners.map((o) => o.dn));
    await this.insertOwners(scope, owners);
  }

  private async insertOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    // The last entry wins when a scan returns an account twice.
    const byDn = new Map(owners.map((o) => [o.dn, o]));
    const unique = [...byDn.values()].filter((o) => o.spns.length > 0);
    for (const batch of chunks(unique, BATCH)) {
      await this.q(
        `INSERT INTO spn_owners (scope, dn, sam, when_changed, disabled, spns) VALUES ${batch.map(() => '(?, ?, ?, ?, ?, ?)').join(', ')}`,
        batch.flatMap((o) => [scope, o.dn, o.sAMAccountName, o.whenChanged ?? null, this.bool(o.disabled), JSON.stringify(o.spns)]),
      );
    }
    const keys = [...new Set(unique.flatMap((o) => o.spns.map((s) => `${spnInstance(s)}\u0000${o.dn}`)))].map((k) => k.split('\u0000'));
    for (const batch of chunks(keys, BATCH)) {
      await this.q(`INSERT INTO spn_keys (scope, instance, dn) VALUES ${batch.map(() => '(?, ?, ?)').join(', ')}`, batch.flatMap(([inst = '', dn = '']) => [scope, inst, dn]));
    }
  }

  async deleteSpnOwners(scope: string, dns: string[]): Promise<void> {
    for (const batch of chunks([...new Set(dns)], BATCH)) {
      const marks = batch.map(() => '?').join(', ');
      await this.q(`DELETE FROM spn_keys WHERE scope = ? AND dn IN (${marks})`, [scope, ...batch]);
      await this.q(`DELETE FROM spn_owners WHERE scope = ? AND dn IN (${marks})`, [scope, ...batch]);
    }
  }

  async replaceSpnOwners(scope: string, owners: SpnOwner[]): Promise<void> {
    await this.clearSpnOwners(scope);
    await this.insertOwners(scope, owners);
  }

  private owner(r: Record<string, unknown>): SpnOwner {
    return {
      dn: String(r.dn),
      sAMAccountName: String(r.sam),
      whenChanged: str(r.when_changed),
      disabled: r.disabled === null || r.disabled === undefined ? undefined : Boolean(r.disabled),
      spns: parse<string[]>(r.spns) ?? [],
    };
  }

  async loadSpnOwners(scope: string, options: { dns?: string[] } = {}): Promise<SpnOwner[]> {
    if (!options.dns) {
      const { rows } = await this.q(`SELECT * FROM spn_owners WHERE scope = ? ORDER BY dn`, [scope]);
      return rows.map((r) => this.owner(r));
    }
    const out: SpnOwner[] = [];
    for (const batch of chunks([...new Set(options.dns)], BATCH)) {
      const { rows } = await this.q(`SELECT * FROM spn_owners WHERE scope = ? AND dn IN (${batch.map(() => '?').join(', ')})`, [scope, ...batch]);
      out.push(...rows.map((r) => this.owner(r)));
    }
    return out.sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0));
  }

  async spnCollisionCandidates(scope: string): Promise<SpnOwner[]> {
    const { rows } = await this.q(
      `SELECT * FROM spn_owners WHERE scope = ? AND dn IN (
         SELECT k.dn FROM spn_keys k WHERE k.scope = ? AND k.instance IN (
           SELECT instance FROM spn_keys WHERE scope = ? GROUP BY instance HAVING COUNT(*) > 1))
       ORDER BY dn`,
      [scope, scope, scope],
    );
    return rows.map((r) => this.owner(r));
  }

  async spnOwnersSharing(scope: string, spns: string[]): Promise<SpnOwner[]> {
    const byDn = new Map<string, SpnOwner>();
    for (const batch of chunks([...new Set(spns.map(spnInstance))], BATCH)) {
      const { rows } = await this.q(
        `SELECT * FROM spn_owners WHERE scope = ? AND dn IN (SELECT dn FROM spn_keys WHERE scope = ? AND instance IN (${batch.map(() => '?').join(', ')}))`,
        [scope, scope, ...batch],
      );
      for (const r of rows) byDn.set(String(r.dn), this.owner(r));
    }
    return [...byDn.values()].sort((a, b) => (a.dn < b.dn ? -1 : a.dn > b.dn ? 1 : 0));
  }

  async moveSpnOwners(from: string, to: string): Promise<void> {
    await this.clearSpnOwners(to);
    await this.q(`UPDATE spn_keys SET scope = ? WHERE scope = ?`, [to, from]);
    await this.q(`UPDATE spn_owners SET scope = ? WHERE scope = ?`, [to, from]);
  }

  async clearSpnOwners(scope: string, options: { prefix?: boolean } = {}): Promise<void> {
    if (options.prefix) {
      // Prefix match without LIKE (a scope may contain % or _).
      for (const table of ['spn_keys', 'spn_owners']) {
        await this.q(`DELETE FROM ${table} WHERE substr(scope, 1, ?) = ?`, [scope.length, scope]);
      }
      return;
    }
    await this.q(`DELETE FROM spn_keys WHERE scope = ?`, [scope]);
    await this.q(`DELETE FROM spn_owners WHERE scope = ?`, [scope]);
  }

  async countSpnOwners(scope: string): Promise<number> {
    const { rows } = await this.q(`SELECT COUNT(*) AS n FROM spn_owners WHERE scope = ?`, [scope]);
    return Number(rows[0]?.n ?? 0);
  }
}
