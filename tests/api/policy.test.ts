import { afterEach, describe, expect, it } from 'vitest';
import { channels } from '../../src-shared/channels';
import { freshApp } from '../support/app';
import { anyOf, stringMatching } from '../support/matchers';

let app: ReturnType<typeof freshApp>;
afterEach(async () => app?.dispose());

describe('policy:example and the policy job through the router', () => {
  it('loads a worked example; computing it is a job (no synchronous channel is left)', async () => {
    app = freshApp();
    const example = await app.router.handle('policy:example', { name: 'policy-two-sectors.json' });
    expect(example).toMatchObject({
      ok: true,
      value: { fileName: 'policy-two-sectors.json', document: { format: 'contagion-workbench/policy@1' } },
    });
    if (!example.ok) return;
    expect(channels.filter((channel) => channel.startsWith('policy:'))).toEqual(['policy:example']);
    const started = await app.router.handle('jobs:start', {
      kind: 'policy',
      params: { document: (example.value as { document: unknown }).document },
    });
    expect(started).toMatchObject({ ok: true, value: { jobId: anyOf(String) } });
  });

  it('refuses a bad configuration or forecast at jobs:start, naming the field, and stores nothing', async () => {
    app = freshApp();
    const example = await app.router.handle('policy:example', {});
    if (!example.ok) throw new Error('no example');
    const document = (example.value as { document: { intermediaries: Array<{ rollover: unknown[] }> } }).document;
    const badForecast = await app.router.handle('jobs:start', {
      kind: 'policy',
      params: { document, forecastCsv: 'asset,predicted\nGold,1\n' },
    });
    expect(badForecast).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'params.forecastCsv', message: stringMatching(/unknown asset "Gold"/) },
    });
    const broken = structuredClone(document);
    broken.intermediaries[0]!.rollover = [];
    const refused = await app.router.handle('jobs:start', { kind: 'policy', params: { document: broken } });
    expect(refused).toMatchObject({
      ok: false,
      error: { code: 'invalid_input', field: 'params.document.intermediaries.0.rollover' },
    });
    const listed = await app.router.handle('runs:list', { kind: 'policy' });
    expect(listed).toEqual({ ok: true, value: [] });
  });
});
