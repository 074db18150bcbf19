import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';
import { resolve } from 'node:path';

export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/shell/main.ts'),
          worker: resolve(__dirname, 'src-main/jobs/worker-entry.ts'),
          'brief-worker': resolve(__dirname, 'src-main/jobs/brief-worker.ts'),
          'parquet-worker': resolve(__dirname, 'src-main/jobs/parquet-worker.ts'),
          'kernel-helper': resolve(__dirname, 'src-main/jobs/kernel-helper.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/shell/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    build: { rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') } },
    plugins: [vue()],
  },
});
