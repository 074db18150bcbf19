/** `cwb stress-merge PART.json… [--json]`: the summary of a stress test run in shards (stress-partial-file.ts). */
import { basename } from 'node:path';
import { mergeStressPartials, summariseStress } from '../../engines/stress';
import type { Command } from '../command';
import { readInputFile } from './common';
import { printStressSummary, reportVerification } from './stress';
import { checkShardsBelongTogether, parseStressPartial } from './stress-partial-file';

export const stressMergeCommand: Command = {
  name: 'stress-merge',
  summary:
    'Merge the shards of a stress test (cwb stress … --shard K/N --out PART.json) into the summary of the whole run',
  usage: 'cwb stress-merge PART.json… [--json]',
  positionals: { min: 1, max: 100_000 },
  flags: [],
  run({ positionals, flags }, io) {
    const parts = positionals.map((file) => ({
      file: basename(file),
      ...parseStressPartial(readInputFile(file), basename(file)),
    }));
    checkShardsBelongTogether(parts);
    const merged = mergeStressPartials(parts.map((part) => part.partial));
    const summary = summariseStress(merged);
    const run = parts[0]!.run;
    io.err(`stress-merge: ${parts.length} shards, ${merged.scenarios} scenarios of ${run.network}`);
    reportVerification(io, merged);
    if (flags.json) {
      io.out(JSON.stringify(summary));
      return 0;
    }
    printStressSummary(io, run.network, merged.ids, summary);
    return 0;
  },
};
