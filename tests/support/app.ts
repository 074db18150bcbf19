import { createApp, type AppContext } from '../../src-main/app';
import { tempDir } from './fixtures';
import { testStoreKey } from './store-key';

/** An app core over a fresh data folder; `dispose` closes it and removes the folder. */
export function freshApp(): AppContext & { dispose(): Promise<void> } {
  const dir = tempDir();
  const context = createApp({ dataDir: dir.path, transport: 'cli', key: testStoreKey() });
  return Object.assign(context, {
    async dispose() {
      await context.close();
      dir.remove();
    },
  });
}
