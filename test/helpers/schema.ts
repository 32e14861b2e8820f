import type { Knex } from 'knex';

/** Tables of the connected database, sorted (SQLite internals left out). */
export async function listTables(db: Knex): Promise<string[]> {
  if (db.client.config.client === 'mysql2') {
    const rows = await db('information_schema.tables').where('table_schema', db.raw('DATABASE()')).select({ name: 'table_name' });
    return rows.map((r: { name: string }) => r.name).sort();
  }
  const rows = await db('sqlite_master').where('type', 'table').andWhereNot('name', 'like', 'sqlite_%').select('name');
  return rows.map((r: { name: string }) => r.name).sort();
}

/** Column name → declared type, as the database reports it (MariaDB: `varbinary(255)`, SQLite: `TEXT`). */
export async function columnTypes(db: Knex, table: string): Promise<Record<string, string>> {
  if (db.client.config.client === 'mysql2') {
    const rows = await db('information_schema.columns')
      .where({ table_schema: db.raw('DATABASE()'), table_name: table })
      .select({ name: 'column_name', type: 'column_type' });
    return Object.fromEntries(rows.map((r: { name: string; type: string }) => [r.name, r.type]));
  }
  const rows = (await db.raw(`PRAGMA table_info("${table}")`)) as Array<{ name: string; type: string }>;
  return Object.fromEntries(rows.map((r) => [r.name, r.type]));
}
