/**
 * Entry of a Parquet decoding worker thread (../io/parquet-decode.ts): opens one file (its bytes, or its path) with
 * hyparquet and reads rows on request as cell text. The main thread times every request and terminates this
 * worker when a damaged file keeps the decoder from finishing; it also starts this worker with a capped heap
 * (PARQUET_DECODE_MEMORY_LIMIT_MB), which V8 ends, and the main thread refuses the file, when decoding needs more.
 */
import { parentPort } from 'node:worker_threads';
import {
  asyncBufferFromFile,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
  type AsyncBuffer,
  type FileMetaData,
} from 'hyparquet';
import type { ParquetReply, ParquetRequest } from '../io/parquet-decode';
import { holdingsCellText, readerValueText } from '../io/value-text';

const port = parentPort;
if (!port) throw new Error('parquet-worker must run in a worker thread');

let opened: { file: AsyncBuffer; metadata: FileMetaData; columns: string[]; text: (value: unknown) => string };
const post = (reply: ParquetReply) => port.postMessage(reply);
const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

async function open(request: Extract<ParquetRequest, { type: 'open' }>): Promise<ParquetReply> {
  let file: AsyncBuffer;
  let metadata: FileMetaData;
  try {
    file = typeof request.source === 'string' ? await asyncBufferFromFile(request.source) : request.source;
  } catch (error) {
    return { type: 'error', stage: 'data', message: messageOf(error) };
  }
  try {
    metadata = await parquetMetadataAsync(file);
  } catch (error) {
    return { type: 'error', stage: 'footer', message: messageOf(error) };
  }
  const columns = parquetSchema(metadata).children.map((child) => child.element.name);
  opened = { file, metadata, columns, text: request.cellText === 'holdings' ? holdingsCellText : readerValueText };
  return {
    type: 'opened',
    columns,
    rowCount: Number(metadata.num_rows),
    rowGroups: metadata.row_groups.length,
    properties: Object.fromEntries((metadata.key_value_metadata ?? []).map((entry) => [entry.key, entry.value ?? ''])),
  };
}

async function read({ rowStart, rowEnd }: Extract<ParquetRequest, { type: 'read' }>): Promise<ParquetReply> {
  const { file, metadata, columns, text } = opened;
  const records = await parquetReadObjects({ file, metadata, rowStart, rowEnd });
  return { type: 'rows', rows: records.map((record) => columns.map((column) => text(record[column]))) };
}

port.on('message', (request: ParquetRequest) => {
  (request.type === 'open' ? open(request) : read(request)).then(post, (error: unknown) =>
    post({ type: 'error', stage: 'data', message: messageOf(error) }),
  );
});
post({ type: 'ready' });
