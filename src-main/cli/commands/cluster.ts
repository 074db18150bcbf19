/**
 * `cwb cluster slurm NETWORK.json --shards N [cwb stress flags…] [--save] > job.sbatch`: writes the Slurm job of a
 * stress test split into N shards (docs/scale.md, "Beyond one machine"). The file is one bash script: run with
 * `bash job.sbatch` on a login node, or submitted with `sbatch job.sbatch`, it submits an array job of N tasks
 * (task i runs `cwb stress … --shard i+1/N --out PARTS/part-(i+1).json`) and the merge as a job that starts when
 * every task has succeeded (`--dependency=afterok`): `cwb stress-merge PARTS… --json > PARTS/summary.json`, with
 * `--save --network NETWORK.json` when asked, so the merged run lands in the store as one run. The stress flags are
 * cwb stress's own (STRESS_TEST_FLAGS), checked here as a shard checks them, so a bad value is refused now rather
 * than in N tasks on the cluster.
 */
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { defaultDataDir } from '../../app';
import { softwareVersion } from '../../version';
import { UsageError, type Command } from '../command';
import { optionalFlag, requiredFlag, schemaFlag } from '../schema-flags';
import { assertReadable } from './common';
import { clusterStressSettings, STRESS_TEST_FLAGS } from './stress';

const SHARDS_FLAG = schemaFlag(
  'shards',
  'N',
  z.number().int().min(1).max(10_000),
  'number of shards: array tasks of one CPU each',
);
const PARTS_DIR_FLAG = schemaFlag(
  'parts-dir',
  'DIR',
  z.string().min(1),
  'shared folder the parts, the logs and summary.json go to (made absolute)',
  'cwb-stress-parts',
);
const CWB_FLAG = schemaFlag(
  'cwb',
  'COMMAND',
  z.string().min(1),
  'how a cluster node runs cwb (default: this Node and this bin/cwb.mjs, by absolute path)',
);
const PARTITION_FLAG = schemaFlag('partition', 'NAME', z.string().regex(/^[\w.-]+$/), 'Slurm partition of both jobs');
const MEMORY_FLAG = schemaFlag(
  'mem-per-shard',
  'SIZE',
  z.string().regex(/^\d+[KMGT]?$/),
  "memory of one task in Slurm's notation, e.g. 2G (docs/scale.md: about 44·n² bytes for n dense banks, plus 0.2 GiB)",
);

/** A word for bash, single-quoted unless it is plainly safe. */
export const shellWord = (text: string): string =>
  /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;

/** This installation's command line, by absolute paths: the Node running now and bin/cwb.mjs beside the sources. */
function thisCwb(): string {
  const bin = fileURLToPath(new URL('../../../bin/cwb.mjs', import.meta.url));
  return [process.execPath, bin].map(shellWord).join(' ');
}

export const clusterCommand: Command = {
  name: 'cluster',
  summary: 'Write a Slurm job for a stress test in shards: cwb cluster slurm NETWORK.json --shards N … > job.sbatch',
  usage:
    'cwb cluster slurm NETWORK.json --shards N --shock-model MODEL [--samples N] [--seed S] [cwb stress flags…] [--parts-dir DIR] [--save] [--cwb COMMAND] [--partition P] [--mem-per-shard SIZE] > job.sbatch',
  positionals: 2,
  flags: [
    SHARDS_FLAG,
    ...STRESS_TEST_FLAGS,
    PARTS_DIR_FLAG,
    {
      name: 'save',
      description:
        "the merge saves the run in this store (--data-dir, CWB_DATA_DIR or the default; the key file's path if one is named)",
    },
    CWB_FLAG,
    PARTITION_FLAG,
    MEMORY_FLAG,
  ],
  run({ positionals, flags }, io) {
    const [scheduler, network] = positionals as [string, string];
    if (scheduler !== 'slurm')
      throw new UsageError(`cwb cluster writes jobs for slurm (cwb cluster slurm …), not "${scheduler}"`);
    assertReadable(network);
    const shards = requiredFlag(flags, SHARDS_FLAG);
    const { samples, seed } = clusterStressSettings(flags);
    if (shards > samples) throw new UsageError(`--shards ${shards} is more than the ${samples} scenarios (--samples)`);
    const stressFlags = STRESS_TEST_FLAGS.flatMap((flag) => {
      const value = flag.name === 'seed' ? String(seed) : flag.name === 'samples' ? String(samples) : flags[flag.name];
      return typeof value === 'string' ? [`--${flag.name}`, value] : [];
    });
    // The store the merge saves in is the one meant now; shards only check their --out is outside it.
    const dataDir = typeof flags['data-dir'] === 'string' ? flags['data-dir'] : process.env.CWB_DATA_DIR;
    const keyFile = typeof flags['key-file'] === 'string' ? flags['key-file'] : process.env.CWB_KEY_FILE;
    const dataDirFlag = flags.save || dataDir ? ['--data-dir', resolve(dataDir || defaultDataDir())] : [];
    const keyFileFlag = flags.save && keyFile ? ['--key-file', resolve(keyFile)] : [];
    const given = Object.entries(flags).flatMap(([name, value]) =>
      value === true ? [`--${name}`] : [`--${name}`, value],
    );
    io.out(
      slurmScript({
        command: ['cwb', 'cluster', 'slurm', network, ...given].map(shellWord).join(' '),
        network: resolve(network),
        shards,
        stressFlags,
        parts: resolve(requiredFlag(flags, PARTS_DIR_FLAG)),
        save: flags.save === true,
        cwb: optionalFlag(flags, CWB_FLAG) ?? thisCwb(),
        dataDir: dataDirFlag,
        store: [...dataDirFlag, ...keyFileFlag],
        sbatch: [
          ...(flags.partition === undefined ? [] : [`--partition=${requiredFlag(flags, PARTITION_FLAG)}`]),
          ...(flags['mem-per-shard'] === undefined ? [] : [`--mem=${requiredFlag(flags, MEMORY_FLAG)}`]),
        ],
      }),
    );
    return 0;
  },
};

export interface SlurmJob {
  /** The cwb command line that wrote the script, for its header. */
  command: string;
  network: string;
  shards: number;
  /** The stress flags as given (checked), each shard gets them all. */
  stressFlags: string[];
  parts: string;
  save: boolean;
  /** The command line on a node, as a shell words string. */
  cwb: string;
  /** --data-dir DIR for every command (shards refuse to write parts into it), when one is named. */
  dataDir: string[];
  /** --data-dir and --key-file of the merge. */
  store: string[];
  /** Extra sbatch options (partition, memory) of the shard tasks; the partition also for the merge. */
  sbatch: string[];
}

/** The job script: bash that submits the shard array and the dependent merge (see the file's header). */
export function slurmScript(job: SlurmJob): string {
  const { shards, parts, cwb } = job;
  const words = (list: string[]) => list.map(shellWord).join(' ');
  const comment = (text: string) => text.replace(/[\r\n]+/g, ' ');
  const line = (...pieces: string[]) => pieces.filter(Boolean).join(' ');
  const partition = job.sbatch.filter((option) => option.startsWith('--partition='));
  const save = job.save ? `--save --network ${shellWord(job.network)}` : '';
  const partFiles = `${shellWord(parts)}/part-{1..${shards}}.json`;
  const merge = job.save
    ? [line(cwb, 'stress-merge', partFiles, save, words(job.store), '--json >', `${shellWord(parts)}/summary.json`)]
    : [
        line(cwb, 'stress-merge', partFiles, words(job.dataDir), '--json >', `${shellWord(parts)}/summary.json`),
        line(cwb, 'stress-merge', partFiles, words(job.dataDir), '>', `${shellWord(parts)}/summary.txt`),
      ];
  const shardCommand = line(
    'exec',
    cwb,
    'stress',
    shellWord(job.network),
    words(job.stressFlags),
    words(job.dataDir),
    `--shard "$k/${shards}" --out ${shellWord(parts)}/part-$k.json`,
  );
  const shardOptions = line('--ntasks=1 --cpus-per-task=1', words(job.sbatch));
  const mergeOptions = line('--ntasks=1 --cpus-per-task=1', words(partition));
  return `#!/bin/bash
# Contagion Workbench: a stress test in ${shards} shards on Slurm, written by \`cwb cluster slurm\` (cwb ${softwareVersion}).
#
#   bash job.sbatch      on a login node, or
#   sbatch job.sbatch    as a one-CPU job that only submits,
# submits two jobs and prints their ids: an array of ${shards} one-CPU tasks (task i clears shard i+1 of ${shards} and
# writes part-(i+1).json) and the merge, which starts when every task has succeeded (--dependency=afterok) and
# ${job.save ? 'saves the merged run in the store as one stress run, with its provenance, and writes summary.json' : 'writes summary.json and summary.txt'}.
# Parts, summary and logs (shard-<i>.log, merge.log): ${comment(parts)}
# (submitted with sbatch, this script's own log is cwb-stress-submit-<job id>.log in the folder it was submitted from)
#
# written by: ${comment(job.command)}
# network: ${comment(job.network)}
# stress:  ${comment(words(job.stressFlags))}
#SBATCH --job-name=cwb-stress-submit
#SBATCH --ntasks=1
#SBATCH --cpus-per-task=1
#SBATCH --output=cwb-stress-submit-%j.log
set -euo pipefail
parts=${shellWord(parts)}
mkdir -p "$parts"
if compgen -G "$parts/part-*.json" >/dev/null; then
  echo "cwb: $parts already holds the parts of an earlier run: remove them, or write the job with another --parts-dir" >&2
  exit 2
fi
shards=$(sbatch --parsable --job-name=cwb-stress --array=0-${shards - 1} ${shardOptions} --output="$parts/shard-%a.log" <<'SHARD'
#!/bin/bash
set -euo pipefail
k=$((SLURM_ARRAY_TASK_ID + 1))
${shardCommand}
SHARD
)
shards=\${shards%%;*}
merge=$(sbatch --parsable --job-name=cwb-stress-merge --dependency=afterok:$shards --kill-on-invalid-dep=yes ${mergeOptions} --output="$parts/merge.log" <<'MERGE'
#!/bin/bash
set -euo pipefail
${merge.join('\n')}
MERGE
)
merge=\${merge%%;*}
echo "cwb: shards job $shards (array 0-${shards - 1}), merge job $merge (after all succeed); parts and logs in $parts"
`;
}
