/** A saved run read back by a screen, typed by its kind: `getRun('stress', id)` gives a stress run or throws. */
import { runOfKind, type RunDetailOf } from '../../../src-shared/domain';
import type { RunKind } from '../../../src-shared/run-kinds';
import { call } from './client';

export async function getRun<K extends RunKind>(kind: K, id: number): Promise<RunDetailOf<K>> {
  return runOfKind(await call('runs:get', { id }), kind);
}
