/**
 * The layering of docs/architecture.md, enforced: no import cycle anywhere in src-main and src-shared, and no
 * import from a lower layer into a higher one. (ESLint keeps electron in shell/ and the renderer out of src-main.)
 */
import { describe, expect, it } from 'vitest';
import { importCycles, importGraph } from './import-graph';

/** Layer of a repository path; files of one layer may import each other as long as no cycle forms. */
const LAYERS: Array<[prefix: string, layer: number]> = [
  ['src-shared/', 0],
  ['src-main/version.ts', 1],
  ['src-main/engines/', 1],
  ['src-main/learning/', 2],
  ['src-main/io/', 3],
  ['src-main/store/', 3],
  ['src-main/jobs/', 4],
  ['src-main/api/', 5],
  ['src-main/app.ts', 6],
  ['src-main/shell/', 7],
  ['src-main/host/', 7],
  ['src-main/cli/', 7],
];

function layerOf(file: string): number {
  const match = LAYERS.find(([prefix]) => file.startsWith(prefix));
  if (!match) throw new Error(`${file} belongs to no layer of docs/architecture.md`);
  return match[1];
}

/** The top folder below src-main (or the file), for "faces never import each other". */
const face = (file: string) => file.split('/').slice(0, 2).join('/');

const graph = importGraph(['src-main', 'src-shared']);

describe('architecture', () => {
  it('reads the whole tree', () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get('src-main/app.ts')).toEqual(
      expect.arrayContaining(['src-main/api/router.ts', 'src-main/store/db.ts']),
    );
  });

  it('has no import cycle', () => {
    expect(importCycles(graph)).toEqual([]);
  });

  it('imports only downwards: engines ← learning ← io, store ← jobs ← api ← app ← shell, host, cli; src-shared below all', () => {
    const upward: string[] = [];
    for (const [file, targets] of graph) {
      for (const target of targets) {
        const from = layerOf(file);
        const to = layerOf(target);
        if (to > from || (from === 7 && to === 7 && face(file) !== face(target))) upward.push(`${file} → ${target}`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('finds a cycle and an upward import when there is one', () => {
    const planted = new Map([
      ['src-main/engines/a.ts', ['src-main/engines/b.ts']],
      ['src-main/engines/b.ts', ['src-main/engines/a.ts', 'src-main/jobs/c.ts']],
      ['src-main/jobs/c.ts', []],
    ]);
    expect(importCycles(planted)).toEqual([['src-main/engines/a.ts', 'src-main/engines/b.ts']]);
    expect(layerOf('src-main/jobs/c.ts')).toBeGreaterThan(layerOf('src-main/engines/b.ts'));
  });
});
