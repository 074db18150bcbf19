/**
 * Benchmark harness: imports each `bench/*.bench.ts` (each exports `run()`, returning a record of figures or a promise
 * of one), runs them one after the other in this process and writes `bench/results.json` with the machine's description.
 * `npm run bench -- NAME` runs only the benchmarks whose file name contains NAME.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts') && (!filter || file.includes(filter)))
  .sort();

const results: Record<string, unknown> = {};
for (const file of files) {
  const name = file.replace(/\.bench\.ts$/, '');
  process.stderr.write(`bench ${name}…\n`);
  const module = (await import(new URL(file, import.meta.url).href)) as {
    run(): Promise<Record<string, unknown>> | Record<string, unknown>;
  };
  const started = performance.now();
  results[name] = await module.run();
  process.stderr.write(`bench ${name}: ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}

const report = {
  date: new Date().toISOString(),
  machine: {
    cpu: cpus()[0]?.model ?? 'unknown',
    threads: availableParallelism(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  },
  results,
};
writeFileSync(new URL('results.json', import.meta.url), `${JSON.stringify(report, null, 2)}\n`);
console.log(JSON.stringify(report, null, 2));
