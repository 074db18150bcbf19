/**
 * Forward-only numbered migrations. Each runs once, inside a transaction, and is recorded in
 * `schema_migrations`; never edit a migration that has shipped — add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'initial schema',
    sql: `
      CREATE TABLE datasets (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('banks','network','economy','holdings')),
        source_file TEXT NOT NULL,
        sha256 TEXT NOT NULL UNIQUE,
        imported_at TEXT NOT NULL,
        report TEXT NOT NULL
      );

      CREATE TABLE networks (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('interbank','crossholdings'))
      );

      -- A saved version is immutable: runs and briefs point at it.
      CREATE TABLE network_versions (
        id INTEGER PRIMARY KEY,
        network_id INTEGER NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
        version INTEGER NOT NULL,
        note TEXT NOT NULL,
        created_at TEXT NOT NULL,
        node_count INTEGER NOT NULL,
        edge_count INTEGER NOT NULL,
        document TEXT NOT NULL,
        UNIQUE (network_id, version)
      );
      CREATE TRIGGER network_versions_immutable BEFORE UPDATE ON network_versions
      BEGIN SELECT RAISE(ABORT, 'a saved network version is never overwritten'); END;

      CREATE TABLE investors (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        name TEXT,
        type TEXT,
        style TEXT,
        aum REAL,
        UNIQUE (dataset_id, code)
      );
      CREATE TABLE assets (
        id INTEGER PRIMARY KEY,
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        code TEXT NOT NULL,
        name TEXT,
        class TEXT,
        currency TEXT,
        amount_outstanding REAL,
        UNIQUE (dataset_id, code)
      );
      CREATE TABLE positions (
        dataset_id INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        report_date TEXT NOT NULL,
        investor_id INTEGER NOT NULL REFERENCES investors(id) ON DELETE CASCADE,
        asset_id INTEGER NOT NULL REFERENCES assets(id) ON DELETE CASCADE,
        amount REAL NOT NULL,
        PRIMARY KEY (dataset_id, report_date, investor_id, asset_id)
      ) WITHOUT ROWID;

      CREATE TABLE scenarios (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        network_version_id INTEGER REFERENCES network_versions(id) ON DELETE RESTRICT,
        kind TEXT NOT NULL,
        params TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        method TEXT NOT NULL,
        network_version_id INTEGER REFERENCES network_versions(id) ON DELETE RESTRICT,
        params TEXT NOT NULL,
        seed INTEGER,
        status TEXT NOT NULL CHECK (status IN ('running','succeeded','failed','cancelled')),
        started_at TEXT NOT NULL,
        duration_ms REAL,
        software_version TEXT NOT NULL,
        learning_backend TEXT,
        results TEXT,
        error TEXT
      );

      CREATE TABLE models (
        id INTEGER PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
        weights BLOB,
        metrics TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE briefs (
        id INTEGER PRIMARY KEY,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        run_ids TEXT NOT NULL,
        format TEXT NOT NULL,
        content BLOB
      );

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'audit trail',
    sql: `
      -- Append-only and hash-chained (src-main/store/audit.ts): hash = sha256(prev_hash + canonical JSON of the entry).
      CREATE TABLE audit_log (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        os_user TEXT NOT NULL,
        action TEXT NOT NULL,
        subject TEXT NOT NULL,
        file_name TEXT,
        sha256 TEXT,
        details TEXT NOT NULL,
        prev_hash TEXT NOT NULL,
        hash TEXT NOT NULL
      );
      CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an entry is never changed'); END;
      CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only: an entry is never deleted'); END;
    `,
  },
  {
    version: 3,
    name: 'run names',
    sql: `
      -- A name the user gives a saved run (renaming); NULL shows the run's method.
      ALTER TABLE runs ADD COLUMN name TEXT;
    `,
  },
  {
    version: 4,
    name: 'run kinds in kebab case',
    sql: `
      -- One naming style for job and run kinds (src-shared/run-kinds.ts): the graph-transformer job was "gtTrain".
      -- Models keep their own kinds ('graph-transformer', 'dual-network'); briefs cite runs by id. The audit trail is
      -- append-only and hash-chained: its entries stay as written (they name runs in words, not by kind).
      UPDATE runs SET kind = 'gt-train' WHERE kind = 'gtTrain';
    `,
  },
];
