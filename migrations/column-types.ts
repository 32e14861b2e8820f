import type { Knex } from 'knex';

/**
 * MediaWiki's column types per dialect (docs/architecture.md §3). MariaDB gets MediaWiki's binary types; SQLite
 * gets TEXT, because a VARBINARY column there has numeric affinity and turns '0123' into 123.
 */
export function columnTypes(db: Knex, table: Knex.CreateTableBuilder) {
  const mysql = db.client.config.client === 'mysql2';
  const typed = (name: string, mysqlType: string) =>
    mysql ? table.specificType(name, mysqlType) : table.specificType(name, 'TEXT');
  return {
    varbinary: (name: string, length: number) => typed(name, `VARBINARY(${length})`),
    binary: (name: string, length: number) => typed(name, `BINARY(${length})`),
    blob: (name: string) => typed(name, 'BLOB'),
    tinyblob: (name: string) => typed(name, 'TINYBLOB'),
    mediumblob: (name: string) => typed(name, 'MEDIUMBLOB'),
    tinytext: (name: string) => typed(name, 'TINYTEXT'),
    /** INT UNSIGNED (SQLite: INTEGER). */
    uint: (name: string) => table.integer(name).unsigned(),
    tinyint: (name: string) => (mysql ? table.specificType(name, 'TINYINT') : table.integer(name)),
    /** Epoch seconds for expiry columns of our own tables. */
    epoch: (name: string) => table.bigInteger(name),
  };
}

/** MediaWiki creates its tables with the binary charset; ours follow. */
export function tableOptions(db: Knex, table: Knex.CreateTableBuilder): void {
  if (db.client.config.client === 'mysql2') {
    table.engine('InnoDB');
    table.charset('binary');
  }
}
