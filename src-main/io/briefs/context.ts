/** What a section provider gets: a saved run with the network version, dataset and software it came from. */
import { createHash } from 'node:crypto';
import type { DatasetSummary, RunDetail, StoredDocument } from '../../../src-shared/domain';
import type { Db } from '../../store/db';
import { runLearningBackend } from '../../store/briefs';
import { datasets, networks, runs } from '../../store/repositories';

export interface NetworkProvenance {
  versionId: number;
  name: string;
  version: number;
  note: string;
  createdAt: string;
  nodeCount: number;
  edgeCount: number;
  /** SHA-256 of the stored version document (its canonical JSON). */
  sha256: string;
}

export interface RunContext {
  run: RunDetail;
  /** The TensorFlow.js backend recorded with the run (null when the run used none). */
  learningBackend: string | null;
  network?: NetworkProvenance & StoredDocument;
  dataset?: DatasetSummary;
}

export function loadRunContext(db: Db, runId: number): RunContext {
  const run = runs.get(db, runId);
  const learningBackend = runLearningBackend(db, runId);
  if (run.networkVersionId === null) return { run, learningBackend };
  const stored = networks.getStoredVersion(db, run.networkVersionId);
  const summary = stored.network.versions.find((v) => v.id === run.networkVersionId)!;
  return {
    run,
    learningBackend,
    network: {
      ...stored,
      versionId: summary.id,
      name: stored.network.name,
      version: stored.version,
      note: summary.note,
      createdAt: summary.createdAt,
      nodeCount: summary.nodeCount,
      edgeCount: summary.edgeCount,
      sha256: createHash('sha256').update(JSON.stringify(stored.document)).digest('hex'),
    },
    dataset: datasets.find(db, stored.network.datasetId),
  };
}
