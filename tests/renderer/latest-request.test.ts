/** latestRequest: after an await, only the request asked for last may show its answer. */
import { describe, expect, it } from 'vitest';
import { latestRequest } from '../../src-renderer/src/api/latest-request';

describe('latestRequest', () => {
  it('lets only the newest request show its answer, whatever order the answers arrive in', async () => {
    const showing = latestRequest();
    const shown: string[] = [];
    const show = async (answer: Promise<string>) => {
      const isLatest = showing();
      const value = await answer;
      if (isLatest()) shown.push(value);
    };
    let answerA!: (value: string) => void;
    let answerB!: (value: string) => void;
    const a = show(new Promise((resolve) => (answerA = resolve)));
    const b = show(new Promise((resolve) => (answerB = resolve)));
    answerB('B');
    answerA('A');
    await Promise.all([a, b]);
    expect(shown).toEqual(['B']);
    await show(Promise.resolve('C'));
    expect(shown).toEqual(['B', 'C']);
  });

  it('keeps separate counts for separate things shown', () => {
    const runs = latestRequest();
    const preview = latestRequest();
    const run = runs();
    const tiers = preview();
    preview();
    expect(run()).toBe(true);
    expect(tiers()).toBe(false);
  });
});
