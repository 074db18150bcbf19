/**
 * A one-node Slurm cluster on localhost for the cluster tests (the recipe of docs/scale.md, "Beyond one machine"): its own munged
 * (socket and key in a temporary folder), slurmctld and slurmd on free ports, configured by a slurm.conf named
 * through SLURM_CONF, so nothing under /etc is used or changed. `stop()` ends the three daemons by the PIDs in
 * their pid files and removes the folder.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { hostname, tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

const DAEMONS = { munged: '/usr/sbin/munged', slurmctld: '/usr/sbin/slurmctld', slurmd: '/usr/sbin/slurmd' };
const CLIENTS = ['sbatch', 'squeue', 'sinfo', 'scontrol', 'scancel'];

/** Why the cluster cannot start here (a missing program), or undefined when it can. */
export function slurmMissing(): string | undefined {
  const missing = [
    ...Object.values(DAEMONS).filter((path) => !existsSync(path)),
    ...CLIENTS.filter((name) => spawnSync('sh', ['-c', `command -v ${name}`]).status !== 0),
  ];
  return missing.length ? `not installed: ${missing.join(', ')} (Debian: apt-get install slurm-wlm munge)` : undefined;
}

export interface LocalSlurm {
  /** The environment for Slurm's commands (SLURM_CONF) and anything that submits jobs. */
  env: NodeJS.ProcessEnv;
  /** Runs a Slurm client command against this cluster; throws with its standard error when it fails. */
  run(command: string, args: string[], cwd?: string): string;
  /** The daemons' logs, for a failing test's message. */
  logs(): string;
  stop(): Promise<void>;
}

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startLocalSlurm(): Promise<LocalSlurm> {
  const dir = mkdtempSync(join(tmpdir(), 'cwb-slurm-'));
  chmodSync(dir, 0o711); // munged wants every folder above its socket searchable by all
  for (const sub of ['state', 'spool', 'log']) mkdirSync(join(dir, sub), { mode: 0o700 });
  const host = hostname();
  const [ctldPort, dPort] = [await freePort(), await freePort()];
  const key = join(dir, 'munge.key');
  writeFileSync(key, randomBytes(1024), { mode: 0o400 });
  const conf = join(dir, 'slurm.conf');
  writeFileSync(
    conf,
    [
      'ClusterName=cwbtest',
      `SlurmctldHost=${host}`,
      `SlurmUser=${userInfo().username}`,
      'AuthType=auth/munge',
      'CredType=cred/munge',
      `AuthInfo=socket=${join(dir, 'munge.sock')}`,
      `SlurmctldPort=${ctldPort}`,
      `SlurmdPort=${dPort}`,
      `StateSaveLocation=${join(dir, 'state')}`,
      `SlurmdSpoolDir=${join(dir, 'spool')}`,
      `SlurmctldPidFile=${join(dir, 'slurmctld.pid')}`,
      `SlurmdPidFile=${join(dir, 'slurmd.pid')}`,
      `SlurmctldLogFile=${join(dir, 'log', 'slurmctld.log')}`,
      `SlurmdLogFile=${join(dir, 'log', 'slurmd.log')}`,
      'ProctrackType=proctrack/linuxproc',
      'TaskPlugin=task/none',
      'JobAcctGatherType=jobacct_gather/none',
      'SelectType=select/cons_tres',
      'SelectTypeParameters=CR_Core',
      'ReturnToService=2',
      // Finished jobs stay visible to scontrol for a while (no accounting database here for sacct).
      'MinJobAge=600',
      `NodeName=${host} CPUs=2 State=UNKNOWN`,
      `PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
      '',
    ].join('\n'),
  );
  const env = { ...process.env, SLURM_CONF: conf };
  const logs = () =>
    ['munged.log', 'slurmctld.log', 'slurmd.log']
      .map((name) => join(dir, 'log', name))
      .filter((path) => existsSync(path))
      .map((path) => `--- ${path}\n${readFileSync(path, 'utf8').split('\n').slice(-30).join('\n')}`)
      .join('\n');
  const run = (command: string, args: string[], cwd?: string) => {
    const result = spawnSync(command, args, { env, encoding: 'utf8', timeout: 30_000, ...(cwd ? { cwd } : {}) });
    if (result.status !== 0)
      throw new Error(`${command} ${args.join(' ')} exited ${result.status}: ${result.stderr}${result.error ?? ''}`);
    return result.stdout;
  };
  const pids = () =>
    ['slurmd', 'slurmctld', 'munged']
      .map((name) => join(dir, `${name}.pid`))
      .filter((path) => existsSync(path))
      .map((path) => Number(readFileSync(path, 'utf8').trim()))
      .filter((pid) => Number.isInteger(pid) && pid > 0);
  const stop = async () => {
    spawnSync('scancel', ['--user', userInfo().username], { env, timeout: 10_000 });
    const started = pids();
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGTERM');
    for (let waited = 0; waited < 10_000 && started.some(alive); waited += 100) await sleep(100);
    for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    run(DAEMONS.munged, [
      `--socket=${join(dir, 'munge.sock')}`,
      `--key-file=${key}`,
      `--pid-file=${join(dir, 'munged.pid')}`,
      `--log-file=${join(dir, 'log', 'munged.log')}`,
      `--seed-file=${join(dir, 'munged.seed')}`,
    ]);
    run(DAEMONS.slurmctld, []);
    run(DAEMONS.slurmd, []);
    for (let waited = 0; ; waited += 250) {
      const state = spawnSync('sinfo', ['-h', '-o', '%T'], { env, encoding: 'utf8' }).stdout.trim();
      if (state === 'idle') break;
      if (waited > 30_000) throw new Error(`the Slurm node is "${state}", not idle, after 30 s\n${logs()}`);
      await sleep(250);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { env, run, logs, stop };
}
