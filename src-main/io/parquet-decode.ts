/**
 * Parquet decoding in a worker thread (../jobs/parquet-worker.ts, located as the job workers are: ./worker-script.ts),
 * under a time limit that grows with the file's size and a memory cap of its own. A damaged file can make the
 * decoder (hyparquet) loop forever; in the worker that stalls only the worker, which is terminated when the file's
 * time is spent, and the file is refused in one line that names it. Only the time the main thread waits for the
 * worker counts (not the worker's start, nor what the caller does with a batch of rows). A damaged or hostile file
 * can also decode to more than any machine holds (a footer or page that declares millions of values): the worker's
 * heap is capped (PARQUET_DECODE_MEMORY_LIMIT_MB), V8 ends the worker when it is reached, and the file is refused in
 * one line too. Rows come back as cell text, one array per row.
 */
import { stat } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { workerScript } from './worker-script';
import { ImportError } from './import-error';
import { DEFAULT_IMPORT_LIMITS, formatBytes } from './import-limits';

/** How long decoding one Parquet file may take: a base, and more for each MiB of the file. */
export const PARQUET_DECODE_TIME_LIMIT = { baseSeconds: 10, secondsPerMiB: 2 } as const;

/** The decoding time limit of a Parquet file of `byteLength` bytes, in milliseconds. */
export function parquetDecodeLimitMs(byteLength: number): number {
  const { baseSeconds, secondsPerMiB } = PARQUET_DECODE_TIME_LIMIT;
  return Math.ceil(1000 * (baseSeconds + (secondsPerMiB * byteLength) / 2 ** 20));
}

/**
 * The heap (V8 old generation) of one Parquet decoding worker, in MiB: the per-file import limit
 * (DEFAULT_IMPORT_LIMITS.fileBytes, 2 GiB, so 2,048 MiB). A worker may hold as much as the largest file an import
 * accepts, and no more.
 *
 * Why that suffices for the largest legitimate import: the worker never holds a file as JavaScript values. Its
 * bytes (given, or read from disk in ranges) are an ArrayBuffer outside the heap; rows are read in batches (100,000
 * network rows, 50,000 holdings rows), and the heap holds what one batch needs: the pages of a row group it decodes
 * and the batch as cell text, about 50–100 bytes a cell. Measured with hyparquet-writer files: a 2,000,000-liability
 * table (27.6 MiB) decodes within 64 MiB; a 100,000-bank node table (the network format's most banks; 10 of its 12
 * fields) within 96 MiB; a holdings file of 1,048,576 rows in one row group (pyarrow's default) within 64 MiB; a
 * 100-column holdings file needs 256–512 MiB (the worker turns every column of a batch into text), so files of up
 * to about 300 columns fit. Node's own default varies with the machine (4 GiB on one with 24 GiB of memory, less on
 * smaller ones); a fixed cap refuses the same files everywhere, in one line, before the worker takes the machine's
 * memory. It is the default file limit, not CWB_IMPORT_MAX_FILE_BYTES: a tighter file limit does not make a batch
 * of rows smaller.
 */
export const PARQUET_DECODE_MEMORY_LIMIT_MB = DEFAULT_IMPORT_LIMITS.fileBytes / 2 ** 20;

/** How cells become text: as the network table readers write them, or as the holdings readers (dates as days). */
export type ParquetCellText = 'reader' | 'holdings';

export type ParquetRequest =
  | { type: 'open'; source: ArrayBuffer | string; cellText: ParquetCellText }
  | { type: 'read'; rowStart: number; rowEnd: number };

export interface ParquetFileInfo {
  /** The schema's top-level column names. */
  columns: string[];
  /** Data rows in the file. */
  rowCount: number;
  rowGroups: number;
  /** The file's key-value metadata. */
  properties: Record<string, string>;
}

export type ParquetReply =
  | { type: 'ready' }
  | ({ type: 'opened' } & ParquetFileInfo)
  | { type: 'rows'; rows: string[][] }
  /** `footer`: the file's metadata could not be read (not Parquet, cut short); `data`: anything after. */
  | { type: 'error'; stage: 'footer' | 'data'; message: string };

/** A failure the decoder reported (not a time-out): the stage it failed in and its message. */
export class ParquetDecodeError extends Error {
  constructor(
    readonly stage: 'footer' | 'data',
    message: string,
  ) {
    super(message);
  }
}

export interface ParquetDecodeOptions {
  cellText: ParquetCellText;
  /** The decoding time limit in milliseconds; `parquetDecodeLimitMs` of the file's size by default. */
  timeLimitMs?: number;
  /** The worker's heap cap in MiB; PARQUET_DECODE_MEMORY_LIMIT_MB by default (tests set a smaller one). */
  memoryLimitMb?: number;
  /** Cancels the import: the worker is terminated and the file refused as cancelled. */
  signal?: AbortSignal;
}

const secondsText = (ms: number) => `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;

/** What the worker was doing: starting, reading the footer (`open`) or reading rows (`read`). */
type Step = 'start' | ParquetRequest['type'];
/** The part of the file that did not decode in time, or that needed more memory than the cap. */
const stepPart: Record<Step, string> = { start: 'the reader', open: 'its footer', read: 'its data pages' };

/** One Parquet file open in its own worker thread; `close` ends the worker (always call it, in a `finally`). */
export class ParquetDecoder {
  private pending: { resolve: (reply: ParquetReply) => void; reject: (error: Error) => void } | undefined;
  private closed = false;
  private step: Step = 'start';
  private readonly onAbort = () => this.fail(new ImportError(`import of ${this.fileName} cancelled`));

  private constructor(
    private readonly worker: Worker,
    private readonly fileName: string,
    private readonly limitMs: number,
    private remainingMs: number,
    private readonly memoryLimitMb: number,
    private readonly signal: AbortSignal | undefined,
  ) {
    worker.on('message', (reply: ParquetReply) => {
      const pending = this.pending;
      this.pending = undefined;
      if (reply.type === 'error') pending?.reject(new ParquetDecodeError(reply.stage, reply.message));
      else pending?.resolve(reply);
    });
    worker.on('error', (error: Error & { code?: string }) =>
      this.fail(
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? new ImportError(
              `${this.fileName} could not be read within ${formatBytes(this.memoryLimitMb * 2 ** 20)} of memory: the ` +
                `file is damaged or too large (${stepPart[this.step]} ${this.step === 'read' ? 'need' : 'needs'} more)`,
            )
          : new ParquetDecodeError('data', error.message),
      ),
    );
    worker.on('exit', () => this.fail(new ParquetDecodeError('data', 'the Parquet reader stopped')));
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Starts a worker on the file (its bytes, or its path) and reads the file's metadata. */
  static async open(
    fileName: string,
    source: Uint8Array | string,
    options: ParquetDecodeOptions,
  ): Promise<{ decoder: ParquetDecoder; info: ParquetFileInfo }> {
    if (options.signal?.aborted) throw new ImportError(`import of ${fileName} cancelled`);
    const size = typeof source === 'string' ? (await stat(source)).size : source.byteLength;
    const limitMs = options.timeLimitMs ?? parquetDecodeLimitMs(size);
    const script = workerScript('parquet-worker', 'parquet-worker');
    const memoryLimitMb = options.memoryLimitMb ?? PARQUET_DECODE_MEMORY_LIMIT_MB;
    const worker = new Worker(script.file, {
      workerData: script.workerData,
      resourceLimits: { maxOldGenerationSizeMb: memoryLimitMb },
    });
    const decoder = new ParquetDecoder(worker, fileName, limitMs, limitMs, memoryLimitMb, options.signal);
    try {
      await decoder.exchange(undefined); // the worker's start is not the file's time
      // A copy of the bytes moves to the worker (hyparquet reads an ArrayBuffer; a Buffer may share a larger one,
      // and Buffer's slice does not copy).
      const copy = typeof source === 'string' ? source : new Uint8Array(source).buffer;
      const reply = await decoder.exchange(
        { type: 'open', source: copy, cellText: options.cellText },
        typeof copy === 'string' ? [] : [copy],
      );
      if (reply.type !== 'opened') throw new ParquetDecodeError('footer', `unexpected reply ${reply.type}`);
      const { columns, rowCount, rowGroups, properties } = reply;
      return { decoder, info: { columns, rowCount, rowGroups, properties } };
    } catch (error) {
      decoder.close();
      throw error;
    }
  }

  /** Rows `rowStart` (0 = the first data row) to `rowEnd` (excluded) as cell text. */
  async read(rowStart: number, rowEnd: number): Promise<string[][]> {
    const reply = await this.exchange({ type: 'read', rowStart, rowEnd });
    if (reply.type !== 'rows') throw new ParquetDecodeError('data', `unexpected reply ${reply.type}`);
    return reply.rows;
  }

  /** Ends the worker. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.signal?.removeEventListener('abort', this.onAbort);
    void this.worker.terminate();
  }

  /** Rejects what is waiting and ends the worker. */
  private fail(error: Error): void {
    const pending = this.pending;
    this.pending = undefined;
    this.close();
    pending?.reject(error);
  }

  /** Posts a request (none: waits for the worker's start, untimed) and waits for the reply within the time left. */
  private exchange(request: ParquetRequest | undefined, transfer: ArrayBuffer[] = []): Promise<ParquetReply> {
    if (this.closed) return Promise.reject(new ParquetDecodeError('data', 'the Parquet reader stopped'));
    this.step = request?.type ?? 'start';
    return new Promise<ParquetReply>((resolve, reject) => {
      const started = performance.now();
      const timer =
        request === undefined
          ? undefined
          : setTimeout(
              () => {
                this.fail(
                  new ImportError(
                    `${this.fileName} could not be read within ${secondsText(this.limitMs)}: the file is damaged ` +
                      `(${stepPart[request.type]} ${request.type === 'open' ? 'does' : 'do'} not decode)`,
                  ),
                );
              },
              Math.max(0, this.remainingMs),
            );
      this.pending = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (request !== undefined) this.remainingMs -= performance.now() - started;
          resolve(reply);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      if (request !== undefined) this.worker.postMessage(request, transfer);
    });
  }
}
