import fs from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { Readable } from 'node:stream';
import type { DatasetFileType } from '../../../shared/src/datasets/types.js';
import { HttpError, invalidFields } from '../errors.js';
import { findTextProblem } from '../validation/requestText.js';
import { formFieldsSchema } from './fields.js';
import { cleanClientFileName, fileTypeFor } from './fileNames.js';
import { DatasetScanner, ScanLimitError, type ScanResult } from './scanner.js';
import { removeFile, type DatasetStorage } from './storage.js';
import { bodyCutOff, fileTooLarge, invalidForm } from './uploadErrors.js';

/** A dataset form received in full: the file scanned and saved to a temporary path. */
export interface ReceivedForm {
  fileName: string;
  receivedPath: string;
  scan: ScanResult;
  name?: string | undefined;
  description?: string | undefined;
}

/** The part that carries the dataset. */
const FILE_FIELD = 'file';

/** Text parts beyond the three known ones are rejected one by one, but parsing stops here. */
const MAX_TEXT_PARTS = 8;

/** Maximum text part size in bytes: a description of 10,000 characters takes up to 40,000. */
const MAX_TEXT_PART_BYTES = 64 * 1024;

/**
 * Receives a multipart/form-data dataset upload from the request stream. The `file` part is
 * streamed through a DatasetScanner (SHA-256, size limit, validation) into a temporary file, so
 * the file is never held in memory. On any failure the temporary file is removed and the error
 * raised: 400 for a malformed form, 413 over the limit, or the request's own error when the body
 * is cut off.
 */
export class FormReceiver {
  private readonly texts: Record<string, string> = {};
  private file:
    | {
        fileName: string;
        path: string;
        abort: AbortController;
        scanned: Promise<ScanResult>;
        closed: Promise<void>;
      }
    | undefined;
  private failure: unknown;
  private parser: busboy.Busboy | undefined;
  private settle: { resolve(form: ReceivedForm): void; reject(error: unknown): void } | undefined;

  constructor(
    private readonly request: IncomingMessage,
    private readonly storage: DatasetStorage,
    private readonly maxUploadMb: number,
    private readonly limitBytes: number,
  ) {}

  receive(): Promise<ReceivedForm> {
    return new Promise<ReceivedForm>((resolve, reject) => {
      this.settle = { resolve, reject };
      try {
        this.parser = this.createParser();
      } catch (error) {
        // busboy throws when the Content-Type has no boundary.
        this.fail(invalidForm(`The multipart body cannot be read: ${(error as Error).message}.`));
        return;
      }
      if (this.request.destroyed && !this.request.complete) {
        // The client went away before the form was read, so no 'close' event will come.
        this.fail(bodyCutOff());
        return;
      }
      this.request.on('close', () => {
        if (!this.request.complete) {
          this.fail(bodyCutOff());
        }
      });
      this.request.on('error', () => this.fail(bodyCutOff()));
      this.request.pipe(this.parser);
    });
  }

  private createParser(): busboy.Busboy {
    const parser = busboy({
      headers: this.request.headers,
      // Browsers and fetch send UTF-8 file names without marking their charset.
      defParamCharset: 'utf8',
      limits: { fields: MAX_TEXT_PARTS, fieldSize: MAX_TEXT_PART_BYTES, parts: MAX_TEXT_PARTS + 2 },
    });
    parser.on('field', (name, value, info) => this.onText(name, value, info.valueTruncated));
    parser.on('file', (name, stream, info) => this.onFile(name, stream, info.filename));
    const tooManyParts = () =>
      this.fail(
        invalidForm(
          `The form has too many parts; send ${FILE_FIELD}, name, description and fileType only.`,
        ),
      );
    parser.on('fieldsLimit', tooManyParts);
    parser.on('partsLimit', tooManyParts);
    parser.on('filesLimit', tooManyParts);
    parser.on('error', (error: Error) =>
      this.fail(invalidForm(`The multipart body is malformed: ${error.message}.`)),
    );
    parser.on('close', () => void this.onParsed());
    return parser;
  }

  private onText(name: string, value: string, truncated: boolean): void {
    if (this.failure !== undefined) {
      return;
    }
    if (!Object.hasOwn(formFieldsSchema.shape, name)) {
      this.fail(
        invalidForm(
          `The form field ${JSON.stringify(name)} is not accepted; send ${FILE_FIELD}, name, ` +
            'description or fileType.',
        ),
      );
    } else if (Object.hasOwn(this.texts, name)) {
      this.fail(invalidForm(`The form field ${name} is given twice; send it once.`));
    } else if (truncated) {
      this.fail(invalidForm(`The form field ${name} is longer than ${MAX_TEXT_PART_BYTES} bytes.`));
    } else if (name === 'fileType' && this.file !== undefined) {
      this.fail(
        invalidForm('The fileType field comes after the file; send it before the file part.'),
      );
    } else {
      this.texts[name] = value;
    }
  }

  private onFile(fieldName: string, stream: Readable, clientName: string | undefined): void {
    if (this.failure !== undefined) {
      stream.resume();
      return;
    }
    try {
      if (fieldName !== FILE_FIELD) {
        throw invalidForm(
          `The form has a file in the part ${JSON.stringify(fieldName)}; send the dataset in a ` +
            `part named ${FILE_FIELD}.`,
        );
      }
      if (this.file !== undefined) {
        throw invalidForm(`The form has more than one file; send one dataset file per request.`);
      }
      const fileName = cleanClientFileName(clientName, 'file name');
      const fileType = fileTypeFor(fileName, this.explicitFileType(), 'form');
      this.startFile(fileName, fileType, stream);
    } catch (error) {
      stream.resume();
      this.fail(error);
    }
  }

  private startFile(fileName: string, fileType: DatasetFileType, stream: Readable): void {
    const scanner = new DatasetScanner(fileType, this.limitBytes);
    const path = this.storage.newTempPath();
    const abort = new AbortController();
    const sink = fs.createWriteStream(path, { flags: 'wx', mode: 0o600 });
    // An aborted pipeline can settle while the file is still opening, and an open still pending
    // creates the file after it was removed. The sink's 'close' comes after the open has ended.
    const closed = new Promise<void>((resolve) => sink.once('close', () => resolve()));
    const scanned = pipeline(stream, scanner.passThrough(), sink, { signal: abort.signal }).then(
      () => scanner.finish(),
    );
    this.file = { fileName, path, abort, scanned, closed };
    scanned.catch((error: unknown) => {
      this.fail(error instanceof ScanLimitError ? fileTooLarge(this.maxUploadMb) : error);
    });
  }

  private explicitFileType(): DatasetFileType | undefined {
    const text = this.texts.fileType;
    if (text === undefined) {
      return undefined;
    }
    const parsed = formFieldsSchema.shape.fileType.safeParse(text);
    if (!parsed.success) {
      throw invalidFields('form', [
        { path: ['fileType'], message: parsed.error.issues[0]?.message ?? 'is invalid' },
      ]);
    }
    return parsed.data;
  }

  private async onParsed(): Promise<void> {
    if (this.failure !== undefined) {
      return;
    }
    if (this.file === undefined) {
      this.fail(
        invalidForm(`The form has no file; send the dataset in a part named ${FILE_FIELD}.`),
      );
      return;
    }
    try {
      const scan = await this.file.scanned;
      const fields = this.parseTexts();
      if (this.failure === undefined) {
        this.settle?.resolve({
          fileName: this.file.fileName,
          receivedPath: this.file.path,
          scan,
          name: fields.name,
          description: fields.description,
        });
      }
    } catch (error) {
      this.fail(error);
    }
  }

  private parseTexts() {
    const problem = findTextProblem(this.texts, { allowLineBreaks: true });
    if (problem !== undefined) {
      throw invalidFields('form', [problem]);
    }
    const parsed = formFieldsSchema.safeParse(this.texts);
    if (!parsed.success) {
      throw invalidFields('form', parsed.error.issues);
    }
    return parsed.data;
  }

  /** Stops receiving, removes the temporary file and rejects with the first error. */
  private fail(error: unknown): void {
    if (this.failure !== undefined) {
      return;
    }
    this.failure = error;
    if (this.parser !== undefined) {
      this.request.unpipe(this.parser);
    }
    // Reading on lets the client finish sending, so that it receives the error response.
    this.request.resume();
    // A temporary file that cannot be removed now is removed by the upload sweep an hour later.
    void this.discardFile()
      .catch(() => undefined)
      .then(() => this.settle?.reject(error));
  }

  private async discardFile(): Promise<void> {
    if (this.file === undefined) {
      return;
    }
    // A file part cut off mid-way never ends by itself. Aborting destroys every stream of the
    // pipeline (destroying only the source can leave it waiting), which closes the temporary file.
    this.file.abort.abort();
    await this.file.scanned.catch(() => undefined);
    await this.file.closed;
    await removeFile(this.file.path);
  }
}

/**
 * Raises 415 unless the request is multipart/form-data, and 400 when its Content-Type has no
 * boundary parameter, because the parts cannot be found without it.
 */
export function assertMultipart(contentType: string | undefined): void {
  if (contentType === undefined || !/^\s*multipart\/form-data\s*(;|$)/i.test(contentType)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      `Content-Type ${JSON.stringify(contentType ?? '')} is not accepted here; send the dataset ` +
        'as multipart/form-data with the file in a part named file, or use the resumable upload ' +
        'at /api/datasets/uploads.',
    );
  }
  if (!/;\s*boundary\s*=\s*("[^"]+"|[^\s;]+)/i.test(contentType)) {
    throw invalidForm(
      `The Content-Type ${JSON.stringify(contentType)} has no boundary parameter, so the ` +
        'parts of the form cannot be found; send multipart/form-data; boundary=<boundary> as ' +
        'HTTP clients and FormData do when they build the body.',
    );
  }
}
