/** The shape every `cwb` sub-command has; `cli/main.ts` dispatches to them and prints `help`. */
import type { AppContext } from '../app';

export interface CommandIo {
  /** Standard output: results (JSON with --json). */
  out(text: string): void;
  /** Standard error: progress and messages. */
  err(text: string): void;
  /**
   * On a terminal only: a progress line that replaces the one before it (`final` ends it with a newline). Absent
   * when standard error is a file or a pipe; progress then goes to `err` as plain lines.
   */
  status?(text: string, final: boolean): void;
}

export interface FlagSpec {
  name: string;
  /** Placeholder shown in help, e.g. "N"; absent for a boolean flag. */
  value?: string;
  description: string;
}

export interface Command {
  name: string;
  summary: string;
  /** e.g. "cwb clear NETWORK.json --shocks SHOCKS.csv [--json]" */
  usage: string;
  flags: FlagSpec[];
  /** Positional arguments: an exact count, or a range. */
  positionals: number | { min: number; max: number };
  /**
   * Returns the process exit code (a command that does all its work synchronously returns it directly; `main` awaits
   * either). Throw `UsageError` for bad arguments.
   */
  run(args: ParsedArgs, io: CommandIo, context: () => AppContext): Promise<number> | number;
}

export interface ParsedArgs {
  positionals: string[];
  flags: Record<string, string | true>;
}

/** Bad command-line input: printed as one line, exit code 2. */
export class UsageError extends Error {}
