import * as vscode from 'vscode';
import {
  DATASET_FILE_TYPES,
  type ApiDatasetDetail,
  type ApiDatasetReport,
} from '../../../shared/src/api/datasets.js';
import { ApiError } from '../api/errors.js';
import { abortSignalOf, failureReason } from '../commands/commandSupport.js';
import type { FieldCheck } from '../commands/providerFields.js';
import type { Logger } from '../log.js';
import type { DatasetsView } from '../views/datasetsView.js';
import type { ProgressReporter } from './datasetDialogs.js';
import { uploadDataset, type UploadMethod, type UploadResult } from './datasetUpload.js';
import { formatBytes } from './labels.js';
import { OPEN_FILE_AT_LINE_COMMAND } from './reportDocuments.js';
import { UploadCancelledError, type UploadProgress } from './resumableUpload.js';
import { uploadSettings } from './settings.js';
import { LocalFileSource, MemorySource, type UploadSource } from './uploadSource.js';

/** The maximum length of a dataset name, as the server checks it. */
const MAX_NAME_LENGTH = 200;

/** The result of uploading one file. */
export interface UploadOutcome {
  file: vscode.Uri;
  status: 'uploaded' | 'duplicate' | 'rejected' | 'cancelled' | 'failed' | 'skipped';
  dataset?: ApiDatasetDetail;
  method?: UploadMethod;
  /** The resumable upload, when one was started. */
  uploadId?: string;
  /** For a cancelled resumable upload: whether the server deleted the bytes it had received. */
  discarded?: boolean;
}

/** Uploads the files one after another, each with its own name prompt and progress. */
export async function uploadFiles(
  view: DatasetsView,
  log: Logger,
  files: readonly vscode.Uri[],
): Promise<UploadOutcome[]> {
  const outcomes: UploadOutcome[] = [];
  for (const file of files) {
    outcomes.push(await uploadFile(view, log, file));
  }
  if (outcomes.some((outcome) => outcome.dataset !== undefined)) {
    view.refresh();
  }
  return outcomes;
}

/** Checks a dataset name as the server will. */
export function checkDatasetName(value: string): FieldCheck | undefined {
  const name = value.trim();
  if (name === '') {
    return { severity: 'error', message: vscode.l10n.t('Enter a name for the dataset.') };
  }
  if (name.length > MAX_NAME_LENGTH) {
    return {
      severity: 'error',
      message: vscode.l10n.t(
        'The name has {0} characters; the maximum is {1}.',
        name.length,
        MAX_NAME_LENGTH,
      ),
    };
  }
  if (/[\t\r\n]/.test(name)) {
    return {
      severity: 'error',
      message: vscode.l10n.t('The name must not contain tabs or line breaks.'),
    };
  }
  return undefined;
}

async function uploadFile(
  view: DatasetsView,
  log: Logger,
  file: vscode.Uri,
): Promise<UploadOutcome> {
  const fileName = baseName(file);
  const extension = fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase();
  if (!fileName.includes('.') || !(DATASET_FILE_TYPES as readonly string[]).includes(extension)) {
    void view.prompts.notify(
      'error',
      vscode.l10n.t(
        '{0} is not a dataset file: upload a file whose name ends in .json, .jsonl, .csv or .txt.',
        fileName,
      ),
    );
    return { file, status: 'skipped' };
  }
  const name = await askName(view, fileName);
  if (name === undefined) {
    return { file, status: 'cancelled' };
  }
  warnIfUnsaved(view, file, fileName);

  let source: UploadSource;
  try {
    source = await openSource(file, fileName);
  } catch (error) {
    await view.prompts.showError(
      vscode.l10n.t('Could not read {0}: {1}', fileName, failureReason(error)),
      error,
    );
    return { file, status: 'failed' };
  }
  try {
    const result = await view.dialogs.withProgress(
      vscode.l10n.t('Uploading {0}', fileName),
      (progress, token) =>
        uploadDataset(view.api, source, {
          fields: { name },
          settings: uploadSettings(),
          signal: abortSignalOf(token),
          onProgress: progressReporter(progress),
          log,
        }),
    );
    return await finishUpload(view, log, file, result);
  } catch (error) {
    return reportFailure(view, file, error);
  } finally {
    await source.close();
  }
}

async function askName(view: DatasetsView, fileName: string): Promise<string | undefined> {
  const result = await view.prompts.input({
    title: vscode.l10n.t('Upload {0}', fileName),
    step: 1,
    totalSteps: 1,
    prompt: vscode.l10n.t('Name of the dataset; press Enter to upload'),
    value: fileName.slice(0, fileName.lastIndexOf('.')),
    validate: checkDatasetName,
  });
  return result?.action === 'next' ? result.value.trim() : undefined;
}

function warnIfUnsaved(view: DatasetsView, file: vscode.Uri, fileName: string): void {
  const open = vscode.workspace.textDocuments.find(
    (document) => document.uri.toString() === file.toString(),
  );
  if (open?.isDirty === true) {
    void view.prompts.notify(
      'warning',
      vscode.l10n.t('{0} has unsaved changes; the version saved on disk is uploaded.', fileName),
    );
  }
}

/** Opens a local file for reading in chunks; files of other file systems are read whole. */
async function openSource(file: vscode.Uri, fileName: string): Promise<UploadSource> {
  if (file.scheme === 'file') {
    return LocalFileSource.open(file.fsPath, fileName);
  }
  return new MemorySource(fileName, await vscode.workspace.fs.readFile(file));
}

/** Shows bytes sent and the percentage; the bar advances by the change in percent. */
function progressReporter(progress: ProgressReporter): (update: UploadProgress) => void {
  let shownPercent = 0;
  return (update) => {
    if (update.phase === 'hashing') {
      progress.report({ message: vscode.l10n.t('Computing the SHA-256 of the file…') });
      return;
    }
    if (update.phase === 'validating') {
      progress.report({
        message: vscode.l10n.t(
          'All {0} sent; the server is validating the file…',
          formatBytes(update.totalBytes),
        ),
        increment: 100 - shownPercent,
      });
      shownPercent = 100;
      return;
    }
    const percent =
      update.totalBytes === 0 ? 100 : Math.floor((update.sentBytes / update.totalBytes) * 100);
    progress.report({
      message: vscode.l10n.t(
        '{0} of {1} sent ({2}%)',
        formatBytes(update.sentBytes),
        formatBytes(update.totalBytes),
        percent,
      ),
      increment: percent - shownPercent,
    });
    shownPercent = percent;
  };
}

async function finishUpload(
  view: DatasetsView,
  log: Logger,
  file: vscode.Uri,
  result: UploadResult,
): Promise<UploadOutcome> {
  const { dataset, duplicate } = result;
  view.keepDetail(dataset);
  await view.sources.remember(dataset.id, file, dataset.sha256);
  log.info(
    `Uploaded ${file.toString()} as dataset ${dataset.id} (${result.method}` +
      `${duplicate ? ', duplicate' : ''}): ${dataset.recordCount} records, ` +
      `${dataset.invalidCount} invalid`,
  );
  const summary = duplicate
    ? vscode.l10n.t(
        '{0} was uploaded before, as dataset {1}: {2} records, {3} invalid.',
        baseName(file),
        dataset.name,
        dataset.recordCount,
        dataset.invalidCount,
      )
    : vscode.l10n.t(
        'Uploaded {0}: {1} records, {2} invalid.',
        dataset.name,
        dataset.recordCount,
        dataset.invalidCount,
      );
  void offerReport(view, summary, dataset, dataset.invalidCount > 0 ? 'warning' : 'info');
  return {
    file,
    status: duplicate ? 'duplicate' : 'uploaded',
    dataset,
    method: result.method,
    ...(result.uploadId === undefined ? {} : { uploadId: result.uploadId }),
  };
}

async function offerReport(
  view: DatasetsView,
  message: string,
  dataset: ApiDatasetDetail,
  severity: 'info' | 'warning',
): Promise<void> {
  const open = vscode.l10n.t('Open Report');
  if ((await view.prompts.notify(severity, message, open)) === open) {
    await view.reports.showDataset(dataset);
  }
}

async function reportFailure(
  view: DatasetsView,
  file: vscode.Uri,
  error: unknown,
): Promise<UploadOutcome> {
  const fileName = baseName(file);
  if (error instanceof UploadCancelledError) {
    void view.prompts.notify('info', cancelledMessage(fileName, error));
    return {
      file,
      status: 'cancelled',
      discarded: error.discarded,
      ...(error.uploadId === undefined ? {} : { uploadId: error.uploadId }),
    };
  }
  const report = rejectedReport(error);
  if (error instanceof ApiError && report !== undefined) {
    void offerRejectedReport(view, file, rejectionMessage(fileName, error, report), report);
    return { file, status: 'rejected' };
  }
  await view.prompts.showError(
    vscode.l10n.t('Could not upload {0}: {1}', fileName, failureReason(error)),
    error,
  );
  return { file, status: 'failed' };
}

function cancelledMessage(fileName: string, error: UploadCancelledError): string {
  if (error.uploadId === undefined) {
    return vscode.l10n.t('Upload of {0} cancelled; nothing was stored.', fileName);
  }
  return error.discarded
    ? vscode.l10n.t(
        'Upload of {0} cancelled; the server deleted the part it had received.',
        fileName,
      )
    : vscode.l10n.t(
        'Upload of {0} cancelled, but the server could not be reached to delete the part it ' +
          'received; it deletes it 24 hours after the last chunk.',
        fileName,
      );
}

/** Returns the validation report a 422 carries, for a file the server did not store. */
function rejectedReport(error: unknown): ApiDatasetReport | undefined {
  if (!(error instanceof ApiError) || error.status !== 422) {
    return undefined;
  }
  const details = error.details as { report?: ApiDatasetReport } | undefined;
  return details?.report;
}

function rejectionMessage(fileName: string, error: ApiError, report: ApiDatasetReport): string {
  const [first] = report.errors;
  if (error.code !== 'no_valid_records' || first === undefined) {
    return error.message;
  }
  return vscode.l10n.t(
    '{0} was not uploaded because none of its records is valid ({1} errors). The first, on line {2}: {3}',
    fileName,
    report.errorCount,
    first.line,
    first.message,
  );
}

async function offerRejectedReport(
  view: DatasetsView,
  file: vscode.Uri,
  message: string,
  report: ApiDatasetReport,
): Promise<void> {
  const openReport = vscode.l10n.t('Open Report');
  const openFile = vscode.l10n.t('Open File');
  const choice = await view.prompts.showError(message, undefined, openReport, openFile);
  if (choice === openReport) {
    const source = { uri: file, sha256: '', uploadedAt: new Date() };
    await view.reports.showRejected({
      fileName: baseName(file),
      report,
      rejection: message,
      source,
    });
  } else if (choice === openFile) {
    const [first] = report.errors;
    await vscode.commands.executeCommand(
      OPEN_FILE_AT_LINE_COMMAND,
      file.toString(),
      first?.line ?? 1,
      first?.column ?? 1,
    );
  }
}

function baseName(file: vscode.Uri): string {
  return file.path.slice(file.path.lastIndexOf('/') + 1);
}
