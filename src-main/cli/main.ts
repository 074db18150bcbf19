/**
 * `cwb`: the command line over the same store and handlers as the app. Results go to standard output (JSON with
 * --json), progress and messages to standard error; bad input exits 2 with a one-line reason.
 */
import { AppError } from '../../src-shared/errors';
import { createApp, defaultDataDir, type AppContext } from '../app';
import { storeFault } from '../store/db';
import { resolveStoreKey } from '../store/store-key';
import { parseArgs } from 'node:util';
import { UsageError, type Command, type CommandIo, type FlagSpec, type ParsedArgs } from './command';
import { InterruptedError } from './job-run';
import { cascadeCommand } from './commands/cascade';
import { capitalCommand } from './commands/capital';
import { clearCommand } from './commands/clear';
import { exportCommand, importCommand, listCommand } from './commands/data';
import { interveneCommand } from './commands/intervene';
import { disaggregateCommand, reconstructCommand } from './commands/reconstruct';
import { briefCommand, demoCommand } from './commands/brief';
import { bailoutCommand, interventionStudyCommand } from './commands/intervention-study';
import { stressCommand } from './commands/stress';
import { mergeCommand, stressMergeCommand } from './commands/stress-merge';
import { clusterCommand } from './commands/cluster';
import { firesaleCommand, idfCommand } from './commands/firesale';
import { gtCommand } from './commands/gt';
import { wedgesCommand } from './commands/wedges';
import { storeCommand } from './commands/store';
import { auditCommand } from './commands/audit';

export const GLOBAL_FLAGS = [
  { name: 'data-dir', value: 'DIR', description: 'data folder (else CWB_DATA_DIR, else the user-data folder)' },
  {
    name: 'key-file',
    value: 'FILE',
    description: 'the store key: 64 hex digits, mode 600 (else CWB_KEY_FILE, the OS keyring, a typed passphrase)',
  },
  { name: 'json', description: 'write the result as JSON to standard output' },
  { name: 'help', description: 'show help for the command' },
  { name: 'debug', description: 'on an internal error, print its stack trace' },
];

export const commands: Command[] = [
  importCommand,
  listCommand,
  exportCommand,
  clearCommand,
  stressCommand,
  stressMergeCommand,
  mergeCommand,
  clusterCommand,
  cascadeCommand,
  interveneCommand,
  firesaleCommand,
  idfCommand,
  reconstructCommand,
  disaggregateCommand,
  gtCommand,
  capitalCommand,
  wedgesCommand,
  briefCommand,
  demoCommand,
  interventionStudyCommand,
  bailoutCommand,
  storeCommand,
  auditCommand,
];

const processIo: CommandIo = {
  out: (text) => process.stdout.write(text.endsWith('\n') ? text : `${text}\n`),
  err: (text) => process.stderr.write(text.endsWith('\n') ? text : `${text}\n`),
  ...(process.stderr.isTTY
    ? { status: (text: string, final: boolean) => process.stderr.write(`\r\x1b[2K${text}${final ? '\n' : ''}`) }
    : {}),
};

/** parseArgs's refusal as one line: the option it is about and what is wrong with it. */
function argumentError(error: NodeJS.ErrnoException, command: Command, specs: FlagSpec[]): UsageError {
  const option = /'(-{1,2}[^' =]+)/.exec(error.message)?.[1] ?? '';
  const spec = specs.find((flag) => `--${flag.name}` === option);
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && spec?.value) {
    return new UsageError(
      `${option} needs a value ${spec.value} (a value that starts with "-" is written ${option}=${spec.value})`,
    );
  }
  if (error.code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && spec) return new UsageError(`${option} takes no value`);
  return new UsageError(
    `unknown option ${option || 'given'} for "cwb ${command.name}" (see: cwb help ${command.name})`,
  );
}

/**
 * The command's flags parsed by node:util `parseArgs` (strict: unknown options and missing values are refused) from
 * the table of flags every command declares; its errors become one line in the command line's words.
 */
export function parseArguments(command: Command, argv: string[]): ParsedArgs {
  const specs = [...GLOBAL_FLAGS, ...command.flags];
  const options = Object.fromEntries(
    specs.map((flag) => [flag.name, { type: flag.value ? ('string' as const) : ('boolean' as const) }]),
  );
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw argumentError(error as NodeJS.ErrnoException, command, specs);
  }
  const positionals = parsed.positionals;
  const flags: ParsedArgs['flags'] = {};
  for (const [name, value] of Object.entries(parsed.values))
    if (typeof value === 'string' || value === true) flags[name] = value;
  const { min, max } =
    typeof command.positionals === 'number'
      ? { min: command.positionals, max: command.positionals }
      : command.positionals;
  if (positionals.length < min || positionals.length > max) {
    const count = min === max ? `${min}` : `${min} to ${max}`;
    throw new UsageError(`"cwb ${command.name}" takes ${count} argument(s); usage: ${command.usage}`);
  }
  return { positionals, flags };
}

export function helpText(name?: string): string {
  if (name) {
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; run "cwb help" for the list`);
    const flags = [...command.flags, ...GLOBAL_FLAGS].map(
      (flag) => `  --${flag.name}${flag.value ? ` ${flag.value}` : ''}`.padEnd(28) + flag.description,
    );
    return [`${command.usage}`, '', command.summary, '', 'Options:', ...flags].join('\n');
  }
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'cwb — Contagion Workbench command line',
    '',
    'Usage: cwb COMMAND [ARGS] [--data-dir DIR] [--json]',
    '',
    'Commands:',
    `  ${'help'.padEnd(width)}list the commands, or document one: cwb help COMMAND`,
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[], io: CommandIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  let context: AppContext | undefined;
  let dataDir = defaultDataDir();
  try {
    if (!name || name === 'help' || name === '--help') {
      io.out(helpText(rest[0]));
      return 0;
    }
    const command = commands.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; run "cwb help" for the list`);
    if (rest.includes('--help')) {
      io.out(helpText(name));
      return 0;
    }
    const args = parseArguments(command, rest);
    if (typeof args.flags['data-dir'] === 'string') dataDir = args.flags['data-dir'];
    const keyFile = typeof args.flags['key-file'] === 'string' ? args.flags['key-file'] : undefined;
    return await command.run(
      args,
      io,
      () => (context ??= createApp({ dataDir, transport: 'cli', key: resolveStoreKey(dataDir, { keyFile }).key })),
    );
  } catch (error) {
    const fault = storeFault(error, dataDir);
    if (fault) {
      io.err(`cwb: ${fault.message}`);
      return fault.exitCode;
    }
    // One line for the user: a refusal (bad input, exit 2) or an internal error (exit 1, its stack only with --debug).
    const oneLine = (text: string) => text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    if (error instanceof UsageError || error instanceof AppError) {
      io.err(`cwb: ${oneLine(error.message)}`);
      return error instanceof InterruptedError ? error.exitCode : 2;
    }
    const message = error instanceof Error ? error.message : String(error);
    io.err(`cwb: internal error: ${oneLine(message.split(/\r?\n/, 1)[0] ?? '')} (run with --debug for details)`);
    if (argv.includes('--debug')) io.err(error instanceof Error && error.stack ? error.stack : String(error));
    return 1;
  } finally {
    await context?.close();
  }
}
