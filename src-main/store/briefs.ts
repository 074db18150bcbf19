/** Saved briefs (the `briefs` table of migration 1) and the run field briefs need beyond RunDetail. */
import type { BriefFormat, BriefSummary } from '../../src-shared/briefs';
import { AppError } from '../../src-shared/errors';
import type { Db } from './db';

interface BriefRow {
  id: number;
  title: string;
  created_at: string;
  run_ids: string;
  format: BriefFormat;
  bytes: number;
}

const toSummary = (row: BriefRow): BriefSummary => ({
  id: row.id,
  title: row.title,
  createdAt: row.created_at,
  runIds: JSON.parse(row.run_ids) as number[],
  format: row.format,
  bytes: row.bytes,
});

const SUMMARY_COLUMNS = 'id, title, created_at, run_ids, format, length(content) AS bytes';

export const briefs = {
  insert(db: Db, record: { title: string; runIds: number[]; format: BriefFormat; content: Uint8Array }): BriefSummary {
    const info = db
      .prepare('INSERT INTO briefs (title, created_at, run_ids, format, content) VALUES (?, ?, ?, ?, ?)')
      .run(
        record.title,
        new Date().toISOString(),
        JSON.stringify(record.runIds),
        record.format,
        Buffer.from(record.content),
      );
    return briefs.get(db, Number(info.lastInsertRowid));
  },
  list(db: Db): BriefSummary[] {
    return (db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM briefs ORDER BY id DESC`).all() as BriefRow[]).map(toSummary);
  },
  get(db: Db, id: number): BriefSummary {
    const row = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM briefs WHERE id = ?`).get(id) as BriefRow | undefined;
    if (!row) throw new AppError('not_found', `no brief with id ${id}`, 'id');
    return toSummary(row);
  },
  content(db: Db, id: number): Buffer {
    const row = db.prepare('SELECT content FROM briefs WHERE id = ?').get(id) as { content: Buffer | null } | undefined;
    if (!row) throw new AppError('not_found', `no brief with id ${id}`, 'id');
    return row.content ?? Buffer.alloc(0);
  },
};

/** The TensorFlow.js backend a run recorded (runs.learning_backend), or null. */
export function runLearningBackend(db: Db, runId: number): string | null {
  const row = db.prepare('SELECT learning_backend FROM runs WHERE id = ?').get(runId) as
    | { learning_backend: string | null }
    | undefined;
  return row?.learning_backend ?? null;
}
