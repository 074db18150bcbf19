/** `cwb audit`: the audit trail of the store (imports, exports, briefs, deletions, saved runs), and its check. */
import { call } from '../../api/router';
import { UsageError, type Command } from '../command';
import { contract } from '../../../src-shared/contract';
import { requiredFlag, schemaFlag } from '../schema-flags';

const LIMIT_FLAG = schemaFlag('limit', 'N', contract['audit:list'].input.shape.limit, 'the N most recent entries');

/** "ID:HASH" as noted from an earlier `cwb audit --verify`. */
function notedHead(text: string | true | undefined): { id: number; hash: string } | undefined {
  if (text === undefined) return undefined;
  const match = typeof text === 'string' ? /^(\d+):([0-9a-fA-F]{12,64})$/.exec(text.trim()) : null;
  if (!match)
    throw new UsageError(
      '--head must be ID:HASH as printed by "cwb audit --verify" (the hash, or its first 12 or more hex digits)',
    );
  return { id: Number(match[1]), hash: match[2]! };
}

export const auditCommand: Command = {
  name: 'audit',
  summary:
    'list the audit trail (imports, exports, briefs, deletions, saved runs: who, when, which file), or check its hash chain',
  usage: 'cwb audit [--limit N] [--verify [--head ID:HASH]] [--json]',
  positionals: 0,
  flags: [
    LIMIT_FLAG,
    {
      name: 'verify',
      description: 'recompute the hash chain: "intact" (exit 0) or the first changed or missing entry (exit 1)',
    },
    {
      name: 'head',
      value: 'ID:HASH',
      description: 'with --verify: an entry noted from an earlier check, to detect entries removed from the end',
    },
  ],
  async run({ flags }, io, context) {
    const { router } = context();
    if (flags.verify) {
      const result = await call(router, 'audit:verify', { head: notedHead(flags.head) });
      if (flags.json) io.out(JSON.stringify(result));
      else {
        io.out(result.message);
        if (result.intact && result.head)
          io.out(
            `note this head to detect later removal of entries from the end: --head ${result.head.id}:${result.head.hash}`,
          );
      }
      return result.intact ? 0 : 1;
    }
    if (flags.head !== undefined) throw new UsageError('--head goes with --verify');
    const limit = requiredFlag(flags, LIMIT_FLAG);
    const { entries, total } = await call(router, 'audit:list', { limit });
    if (flags.json) {
      io.out(JSON.stringify({ total, entries }));
      return 0;
    }
    if (entries.length === 0) {
      io.out('the audit trail is empty: nothing imported, exported, composed, deleted or saved yet');
      return 0;
    }
    for (const entry of entries) {
      const file = entry.fileName ? `  file ${entry.fileName}` : '';
      const sha = entry.sha256 ? `  sha256 ${entry.sha256.slice(0, 12)}` : '';
      io.out(
        `${entry.id}  ${entry.at.slice(0, 19).replace('T', ' ')}  ${entry.osUser}  ${entry.actionLabel}  ${entry.subject}${file}${sha}`,
      );
    }
    if (total > entries.length) io.out(`(${entries.length} most recent of ${total} entries; --limit N for more)`);
    return 0;
  },
};
