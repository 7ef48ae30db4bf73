import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setup, suite, suiteSetup, suiteTeardown, teardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ApiDatasetDetail } from '../../../shared/src/api/datasets.js';
import type { ApiError } from '../api/errors.js';
import { signIn } from '../auth/signIn.js';
import type { DatasetDialogs, ProgressReporter } from '../datasets/datasetDialogs.js';
import { DatasetsApi } from '../datasets/datasetsApi.js';
import { uploadDataset } from '../datasets/datasetUpload.js';
import { DIAGNOSTIC_SOURCE } from '../datasets/diagnostics.js';
import { OPEN_FILE_AT_LINE_COMMAND, REPORT_SCHEME } from '../datasets/reportDocuments.js';
import { LocalFileSource } from '../datasets/uploadSource.js';
import type { UploadOutcome } from '../datasets/uploadFlow.js';
import type { WorkbenchApi } from '../extension.js';
import type { DatasetsView } from '../views/datasetsView.js';
import type { DatasetNode } from '../views/nodes/datasetNode.js';
import {
  activateExtension,
  countRequestsByPath,
  EXTENSION_ID,
  readTestConfig,
  waitFor,
  type TestConfig,
} from './environment.js';
import { ScriptedPrompts } from './scriptedPrompts.js';

// The Datasets view, its upload, report, download and delete commands, and the diagnostics of
// open dataset files, against the real server. The tests run in order: datasets uploaded first
// are reported on, downloaded and deleted later.

const COMMAND = 'llmWorkbench.datasets';
const SETTINGS = 'llmWorkbench.datasets';
/** The chunk size the chunked tests set: 64 KiB, in MB. */
const TEST_CHUNK_MB = 0.0625;
const TEST_CHUNK_BYTES = 64 * 1024;

/**
 * DatasetDialogs for the tests: files and save targets come from queues, and progress shows in a
 * real notification whose reports are recorded. `cancelWhen` cancels the task the way the
 * notification's Cancel button does, once a report matches.
 */
class ScriptedDialogs implements DatasetDialogs {
  readonly progressTitles: string[] = [];
  readonly reports: { message?: string; increment?: number }[] = [];
  private readonly files: vscode.Uri[][] = [];
  private readonly targets: vscode.Uri[] = [];
  private cancelWhen: ((message: string) => boolean) | undefined;

  chooseFiles(...files: vscode.Uri[]): this {
    this.files.push(files);
    return this;
  }

  saveTo(target: vscode.Uri): this {
    this.targets.push(target);
    return this;
  }

  cancelOn(match: (message: string) => boolean): this {
    this.cancelWhen = match;
    return this;
  }

  assertDone(): void {
    assert.deepEqual(this.files, [], 'open dialog answers left unused');
    assert.deepEqual(this.targets, [], 'save dialog answers left unused');
  }

  pickFilesToUpload(): Thenable<vscode.Uri[] | undefined> {
    const files = this.files.shift();
    assert.ok(files, 'no files queued for the open dialog');
    return Promise.resolve(files);
  }

  pickDownloadTarget(_defaultUri: vscode.Uri): Thenable<vscode.Uri | undefined> {
    const target = this.targets.shift();
    assert.ok(target, 'no target queued for the save dialog');
    return Promise.resolve(target);
  }

  withProgress<T>(
    title: string,
    task: (progress: ProgressReporter, token: vscode.CancellationToken) => Thenable<T>,
  ): Thenable<T> {
    this.progressTitles.push(title);
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        const cancellation = new vscode.CancellationTokenSource();
        token.onCancellationRequested(() => cancellation.cancel());
        const recorder: ProgressReporter = {
          report: (value) => {
            this.reports.push(value);
            progress.report(value);
            if (this.cancelWhen?.(value.message ?? '') === true) {
              cancellation.cancel();
            }
          },
        };
        return Promise.resolve(task(recorder, cancellation.token)).finally(() =>
          cancellation.dispose(),
        );
      },
    );
  }
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function tooltipOf(item: vscode.TreeItem): string {
  const tooltip = item.tooltip;
  return typeof tooltip === 'string' ? tooltip : (tooltip?.value ?? '');
}

function iconOf(item: vscode.TreeItem): string | undefined {
  return item.iconPath instanceof vscode.ThemeIcon ? item.iconPath.id : undefined;
}

/** Writes `records` distinct Alpaca records as JSONL; about 170 bytes each. */
function generatedJsonl(records: number, tag: string): string {
  const lines: string[] = [];
  for (let index = 1; index <= records; index += 1) {
    lines.push(
      JSON.stringify({
        instruction: `Translate sentence ${index} of the ${tag} set into French.`,
        input: `The weather on day ${index} is sunny and warm.`,
        output: `Le temps du jour ${index} est ensoleillé et chaud.`,
      }),
    );
  }
  return `${lines.join('\n')}\n`;
}

async function setSetting(name: string, value: unknown): Promise<void> {
  await vscode.workspace
    .getConfiguration(SETTINGS)
    .update(name, value, vscode.ConfigurationTarget.Global);
}

/** Returns the diagnostics this extension put on a file. */
function ownDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
}

suite('datasets view', () => {
  let config: TestConfig;
  let api: WorkbenchApi;
  let view: DatasetsView;
  let prompts: ScriptedPrompts;
  let dialogs: ScriptedDialogs;
  let signedInHere = false;
  const run = Date.now().toString(36);
  const tempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'llm-workbench-datasets-'));
  const uploaded = new Map<string, ApiDatasetDetail>();

  /** Copies a fixture into the temporary folder and returns its URI there. */
  function fixture(name: string): vscode.Uri {
    const root = vscode.extensions.getExtension(EXTENSION_ID)?.extensionPath;
    assert.ok(root, `extension ${EXTENSION_ID} is not loaded`);
    const target = path.join(tempDir, name);
    fs.copyFileSync(path.join(root, 'extension/src/test/fixtures/datasets', name), target);
    return vscode.Uri.file(target);
  }

  function tempFile(name: string, text: string): vscode.Uri {
    const target = path.join(tempDir, name);
    fs.writeFileSync(target, text);
    return vscode.Uri.file(target);
  }

  async function datasetNode(name: string): Promise<DatasetNode> {
    const roots = await view.getChildren();
    const node = roots.find((item) => labelOf(item) === name);
    assert.ok(node, `no dataset ${name} in the view: ${roots.map(labelOf).join(', ')}`);
    return node as DatasetNode;
  }

  async function hasDataset(name: string): Promise<boolean> {
    return (await view.getChildren()).some((item) => labelOf(item) === name);
  }

  async function uploadThroughExplorer(file: vscode.Uri): Promise<UploadOutcome> {
    const outcomes = await vscode.commands.executeCommand<UploadOutcome[]>(
      `${COMMAND}.uploadFile`,
      file,
      [file],
    );
    assert.equal(outcomes.length, 1);
    return outcomes[0] as UploadOutcome;
  }

  suiteSetup(async () => {
    config = readTestConfig();
    api = await activateExtension();
    view = api.views.datasets;
    if ((await api.store.user()) === undefined) {
      await signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: config.password,
      });
      signedInHere = true;
    }
  });

  suiteTeardown(async () => {
    // Later suites, such as the UI test's empty-view welcome, expect no datasets.
    for (const dataset of uploaded.values()) {
      await api.client.request('DELETE', `/api/datasets/${dataset.id}`).catch((error: unknown) => {
        if ((error as Partial<ApiError>).status !== 404) {
          throw error;
        }
      });
    }
    await setSetting('chunkedUploadThresholdMb', undefined);
    await setSetting('uploadChunkSizeMb', undefined);
    await setSetting('validateOpenFiles', undefined);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    fs.rmSync(tempDir, { recursive: true, force: true });
    if (signedInHere) {
      await api.authProvider.signOut();
    }
  });

  setup(() => {
    prompts = new ScriptedPrompts();
    dialogs = new ScriptedDialogs();
    view.prompts = prompts;
    view.dialogs = dialogs;
  });

  teardown(() => {
    dialogs.assertDone();
  });

  test('menus offer upload on dataset files', () => {
    const manifest = vscode.extensions.getExtension(EXTENSION_ID)?.packageJSON as {
      contributes: { menus: Record<string, { command: string; when: string }[]> };
    };
    const explorer = manifest.contributes.menus['explorer/context']?.find(
      (entry) => entry.command === `${COMMAND}.uploadFile`,
    );
    assert.ok(explorer, 'no Explorer menu entry for Upload as Dataset');
    const pattern = /resourceExtname =~ \/(.+)\/i/.exec(explorer.when)?.[1];
    assert.ok(pattern, explorer.when);
    for (const extension of ['.json', '.jsonl', '.csv', '.txt', '.JSONL']) {
      assert.match(extension, new RegExp(pattern, 'i'));
    }
    for (const extension of ['.md', '.jsonc', '.parquet']) {
      assert.doesNotMatch(extension, new RegExp(pattern, 'i'));
    }
    const itemCommands = manifest.contributes.menus['view/item/context']
      ?.filter((entry) => entry.when.includes('viewItem == dataset'))
      .map((entry) => entry.command);
    assert.deepEqual([...new Set(itemCommands)].sort(), [
      `${COMMAND}.delete`,
      `${COMMAND}.download`,
      `${COMMAND}.openReport`,
    ]);
  });

  test('uploads a file from the Explorer', async () => {
    const file = fixture('alpaca_en_demo.excerpt.json');
    const name = `Alpaca excerpt ${run}`;
    prompts.answer({ input: ' ', rejected: /^Enter a name/ }, { input: name });

    const outcome = await uploadThroughExplorer(file);

    assert.equal(outcome.status, 'uploaded');
    assert.equal(outcome.method, 'form');
    const dataset = outcome.dataset;
    assert.ok(dataset);
    uploaded.set('alpaca', dataset);
    assert.equal(dataset.name, name);
    assert.equal(dataset.schema, 'alpaca');
    assert.equal(dataset.recordCount, 5);
    assert.equal(dataset.invalidCount, 0);
    assert.equal(
      dataset.sha256,
      createHash('sha256').update(fs.readFileSync(file.fsPath)).digest('hex'),
    );
    assert.equal(prompts.steps[0]?.value, 'alpaca_en_demo.excerpt');
    assert.deepEqual(prompts.notices, [
      {
        severity: 'info',
        message: `Uploaded ${name}: 5 records, 0 invalid.`,
        actions: ['Open Report'],
      },
    ]);

    const node = await datasetNode(name);
    assert.match(String(node.description), /^Alpaca · 5 records, all valid · \d+(\.\d)? K?B$/);
    assert.equal(iconOf(node), 'database');
    assert.equal(node.contextValue, 'dataset');
    assert.equal(node.command?.command, `${COMMAND}.openReport`);
    prompts.assertDone();
  });

  test('tooltip shows the hash and warnings', async () => {
    const dataset = uploaded.get('alpaca');
    assert.ok(dataset);
    view.forgetDetail(dataset.id);
    const node = await datasetNode(dataset.name);
    assert.equal(node.tooltip, undefined, 'the tooltip waits for the report');

    const resolved = await view.resolveTreeItem(node, node);

    const tooltip = tooltipOf(resolved);
    assert.ok(tooltip.includes(`SHA-256: \`${dataset.sha256}\``), tooltip);
    assert.ok(tooltip.includes('Warnings: 0'), tooltip);
    assert.ok(tooltip.includes('Records: 5 (5 valid, 0 invalid)'), tooltip);
  });

  test('uploads from the open dialog', async () => {
    const file = fixture('identity.broken.jsonl');
    dialogs.chooseFiles(file);
    prompts.answer({ keep: true });

    const outcomes = await vscode.commands.executeCommand<UploadOutcome[]>(`${COMMAND}.upload`);

    assert.equal(outcomes.length, 1);
    const dataset = outcomes[0]?.dataset;
    assert.ok(dataset);
    uploaded.set('broken', dataset);
    assert.equal(dataset.name, 'identity.broken');
    assert.equal(dataset.recordCount, 6);
    assert.equal(dataset.validCount, 4);
    assert.equal(dataset.invalidCount, 2);
    assert.deepEqual(prompts.messages('warning'), [
      'Uploaded identity.broken: 6 records, 2 invalid.',
    ]);
    const node = await datasetNode('identity.broken');
    assert.equal(iconOf(node), 'error');
    assert.match(String(node.description), /^Alpaca · 6 records, 2 invalid · /);
    prompts.assertDone();
  });

  test('same file again is a duplicate', async () => {
    const file = vscode.Uri.file(path.join(tempDir, 'alpaca_en_demo.excerpt.json'));
    dialogs.chooseFiles(file);
    prompts.answer({ input: `Alpaca again ${run}` });

    const [outcome] = await vscode.commands.executeCommand<UploadOutcome[]>(`${COMMAND}.upload`);

    assert.equal(outcome?.status, 'duplicate');
    assert.equal(outcome.dataset?.id, uploaded.get('alpaca')?.id);
    assert.deepEqual(prompts.messages('info'), [
      `alpaca_en_demo.excerpt.json was uploaded before, as dataset Alpaca excerpt ${run}: 5 records, 0 invalid.`,
    ]);
    assert.equal(await hasDataset(`Alpaca again ${run}`), false);
    prompts.assertDone();
  });

  test('uploads a larger file in chunks', async () => {
    await setSetting('chunkedUploadThresholdMb', 0.25);
    await setSetting('uploadChunkSizeMb', TEST_CHUNK_MB);
    const text = generatedJsonl(3000, 'chunked');
    const file = tempFile('generated.jsonl', text);
    const size = Buffer.byteLength(text);
    const chunks = Math.ceil(size / TEST_CHUNK_BYTES);
    assert.ok(chunks >= 5, `only ${chunks} chunks`);
    prompts.answer({ input: `Generated ${run}` });

    const outcome = await uploadThroughExplorer(file);

    assert.equal(outcome.status, 'uploaded');
    assert.equal(outcome.method, 'resumable');
    assert.ok(outcome.uploadId);
    assert.equal(outcome.dataset?.recordCount, 3000);
    assert.equal(outcome.dataset?.invalidCount, 0);
    assert.equal(outcome.dataset?.sizeBytes, size);
    uploaded.set('generated', outcome.dataset);
    const chunkRequests = countRequestsByPath(config.serverLog).get(
      `/api/datasets/uploads/${outcome.uploadId}`,
    );
    assert.equal(chunkRequests, chunks, 'one PUT per chunk and no other request');

    assert.deepEqual(dialogs.progressTitles, ['Uploading generated.jsonl']);
    const sent = dialogs.reports.filter((report) => / sent \(\d+%\)$/.test(report.message ?? ''));
    assert.equal(sent.length, chunks + 1, 'one report at the start and one per chunk');
    const percents = sent.map((report) => Number(/\((\d+)%\)$/.exec(report.message ?? '')?.[1]));
    assert.equal(percents[0], 0);
    assert.equal(percents.at(-1), 100);
    assert.deepEqual(
      [...percents].sort((a, b) => a - b),
      percents,
      'percentages only grow',
    );
    assert.match(sent.at(-1)?.message ?? '', /^(\d+(\.\d)? KB) of \1 sent \(100%\)$/);
    const increments = dialogs.reports.reduce((sum, report) => sum + (report.increment ?? 0), 0);
    assert.equal(increments, 100);
    assert.match(dialogs.reports.at(-1)?.message ?? '', /the server is validating the file/);
    assert.ok(await hasDataset(`Generated ${run}`));
    prompts.assertDone();
  });

  test('failed chunk resumes at the server offset', async () => {
    const text = generatedJsonl(1500, 'retried');
    const file = tempFile('retried.jsonl', text);
    let puts = 0;
    // The second chunk never reaches the server. The response to the third is lost after the
    // server stored it, so the client must read the server's offset to avoid sending it twice.
    const flaky: typeof fetch = async (input, init) => {
      if (init?.method === 'PUT') {
        puts += 1;
        if (puts === 2) {
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
        if (puts === 4) {
          await fetch(input, init);
          throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
        }
      }
      return fetch(input, init);
    };
    const warnings: string[] = [];
    const source = await LocalFileSource.open(file.fsPath, 'retried.jsonl');
    try {
      const result = await uploadDataset(new DatasetsApi(api.client, api.store, flaky), source, {
        fields: { name: `Retried ${run}` },
        settings: { chunkedThresholdBytes: 1, chunkBytes: TEST_CHUNK_BYTES },
        signal: new AbortController().signal,
        onProgress: () => undefined,
        log: { info: () => undefined, warn: (message) => warnings.push(message) },
        retry: { maxRetries: 2, delayMs: () => 20 },
      });
      assert.equal(result.dataset.recordCount, 1500);
      assert.equal(result.dataset.sizeBytes, Buffer.byteLength(text));
      const chunks = Math.ceil(Buffer.byteLength(text) / TEST_CHUNK_BYTES);
      assert.equal(puts, chunks + 1, 'only the chunk that never arrived was sent again');
      assert.equal(warnings.length, 2);
      assert.match(warnings[0] ?? '', /^Chunk at byte 65536 of upload .+ failed; retry 1 of 2/);
      assert.match(warnings[1] ?? '', /^Chunk at byte 131072 of upload .+ failed; retry 1 of 2/);
      uploaded.set('retried', result.dataset);
    } finally {
      await source.close();
    }
  });

  test('cancel drops a chunked upload', async () => {
    await setSetting('chunkedUploadThresholdMb', 0.25);
    await setSetting('uploadChunkSizeMb', TEST_CHUNK_MB);
    const file = tempFile('cancelled.jsonl', generatedJsonl(3000, 'cancelled'));
    prompts.answer({ input: `Cancelled ${run}` });
    dialogs.cancelOn((message) => /^\d+(\.\d)? KB of .* sent \([1-9]\d*%\)$/.test(message));

    const outcome = await uploadThroughExplorer(file);

    assert.equal(outcome.status, 'cancelled');
    assert.equal(outcome.discarded, true);
    assert.ok(outcome.uploadId);
    await assert.rejects(
      api.client.request('GET', `/api/datasets/uploads/${outcome.uploadId}`),
      // The extension's bundle has its own ApiError class, so the status is checked by name.
      (error: unknown) => (error as Partial<ApiError>).status === 404,
    );
    assert.deepEqual(prompts.messages('info'), [
      'Upload of cancelled.jsonl cancelled; the server deleted the part it had received.',
    ]);
    assert.equal(await hasDataset(`Cancelled ${run}`), false);
    prompts.assertDone();
  });

  test('report links errors to lines', async () => {
    const dataset = uploaded.get('broken');
    assert.ok(dataset);
    const file = vscode.Uri.file(path.join(tempDir, 'identity.broken.jsonl'));

    const editor = await vscode.commands.executeCommand<vscode.TextEditor>(
      `${COMMAND}.openReport`,
      await datasetNode(dataset.name),
    );

    const document = editor.document;
    assert.equal(document.uri.scheme, REPORT_SCHEME);
    const text = document.getText();
    assert.match(text, /^# Validation report: identity\.broken$/m);
    assert.match(
      text,
      /^\| Schema \| Alpaca; prompt → `instruction`, query → `input`, response → `output` \|$/m,
    );
    assert.match(text, /^\| Records \| 6: 4 valid, 2 invalid \|$/m);
    assert.ok(text.includes(`| SHA-256 | \`${dataset.sha256}\` |`), 'no SHA-256 row');
    assert.match(text, /^## Errors \(2\)$/m);
    assert.ok(text.includes(`[Line 3, column 141](${file.toString()}#L3,141) (record 3):`), text);
    assert.ok(text.includes(`[Line 5](${file.toString()}#L5) (record 5):`), text);
    assert.match(text, /"output" is missing\./);
    assert.match(text, /^## Warnings\n\nNone\.$/m);
    assert.match(text, /^\| `instruction` \| 4 \|/m);
    assert.match(text, /^## Preview: the first \d records$/m);

    const links = await vscode.commands.executeCommand<vscode.DocumentLink[]>(
      'vscode.executeLinkProvider',
      document.uri,
    );
    const lineFive = links.find(
      (link) =>
        link.target?.scheme === 'command' && document.getText(link.range).startsWith('[Line 5]'),
    );
    assert.ok(lineFive?.target, 'no command link on line 5');
    assert.equal(lineFive.target.path, OPEN_FILE_AT_LINE_COMMAND);
    const args = JSON.parse(decodeURIComponent(lineFive.target.query)) as [string, number];
    assert.deepEqual(args, [file.toString(), 5]);

    const opened = await vscode.commands.executeCommand<vscode.TextEditor>(
      OPEN_FILE_AT_LINE_COMMAND,
      ...args,
    );

    assert.equal(opened.document.uri.fsPath, file.fsPath);
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, file.fsPath);
    assert.equal(opened.selection.active.line, 4);
    assert.equal(opened.selection.active.character, 0);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('file without valid records is rejected', async () => {
    const file = tempFile(
      'no-valid-records.jsonl',
      '{"instruction": "Who are you?", "output": \n{"instruction": "hi", "input": ""}\n',
    );
    prompts.answer({ keep: true });
    prompts.chooseOn(/^no-valid-records\.jsonl was not uploaded/, 'Open Report');

    const outcome = await uploadThroughExplorer(file);

    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.dataset, undefined);
    assert.deepEqual(prompts.errors, [
      {
        message:
          'no-valid-records.jsonl was not uploaded because none of its records is valid (2 ' +
          'errors). The first, on line 1: Invalid JSON: the input ends inside an object; a ' +
          "closing '}' is missing. Each line must hold one complete JSON record.",
        actions: ['Open Report', 'Open File'],
      },
    ]);
    const report = await waitFor('the report of the rejected file', () => {
      const document = vscode.window.activeTextEditor?.document;
      return document?.uri.scheme === REPORT_SCHEME && document;
    });
    const text = report.getText();
    assert.match(text, /^# Validation report: no-valid-records\.jsonl$/m);
    assert.match(text, /^> Not stored: no-valid-records\.jsonl was not uploaded because/m);
    assert.ok(text.includes(`[Line 2](${file.toString()}#L2) (record 2): "output" is missing.`));
    assert.equal(await hasDataset('no-valid-records'), false);
    prompts.assertDone();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('report without a local file has no links', async () => {
    const dataset = uploaded.get('retried');
    assert.ok(dataset);

    const editor = await vscode.commands.executeCommand<vscode.TextEditor>(
      `${COMMAND}.openReport`,
      { dataset },
    );

    const text = editor.document.getText();
    assert.match(text, /\| Local file \| not known in this window/);
    assert.match(text, /^## Errors\n\nNone\.$/m);
    assert.doesNotMatch(text, /file:\/\//);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('diagnostics mark the broken lines', async () => {
    const file = vscode.Uri.file(path.join(tempDir, 'identity.broken.jsonl'));
    const document = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(document);

    const diagnostics = await waitFor('diagnostics on the broken file', () => {
      const found = ownDiagnostics(file);
      return found.length === 2 && found;
    });

    const [invalidJson, missingOutput] = diagnostics;
    assert.equal(invalidJson?.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(invalidJson.range.start.line, 2);
    assert.equal(invalidJson.range.start.character, 139);
    assert.match(invalidJson.message, /^Invalid JSON: the input ends inside an object/);
    assert.equal(missingOutput?.range.start.line, 4);
    assert.equal(missingOutput.range.start.character, 0);
    assert.equal(missingOutput.range.end.character, document.lineAt(4).text.length);
    assert.equal(missingOutput.message, '"output" is missing.');

    // Closing the object on line 3 leaves only line 5, once the edits pause.
    const edit = new vscode.WorkspaceEdit();
    edit.insert(file, document.lineAt(2).range.end, '}');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const afterEdit = await waitFor('diagnostics after the edit', () => {
      const found = ownDiagnostics(file);
      return found.length === 1 && found;
    });
    assert.equal(afterEdit[0]?.range.start.line, 4);

    await setSetting('validateOpenFiles', false);
    await waitFor('diagnostics to clear', () => ownDiagnostics(file).length === 0);
    await setSetting('validateOpenFiles', undefined);
    await waitFor('diagnostics to return', () => ownDiagnostics(file).length === 1);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  test('diagnostics on JSON only for datasets', async () => {
    const dataset = tempFile(
      'records.json',
      '[\n  {"instruction": "Say hi", "output": "Hi"},\n  {"instruction": "Say bye"}\n]\n',
    );
    const settings = tempFile('config.json', '{\n  "instruction": 1,\n  "items": [1, 2]\n}\n');
    const chat = tempFile('chat.json', '[\n  {"role": "system", "content": "Be brief."}\n]\n');
    // Opened first, so they are checked before the dataset's diagnostics appear.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(settings));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(chat));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dataset));

    const found = await waitFor('diagnostics on the JSON dataset', () => {
      const diagnostics = ownDiagnostics(dataset);
      return diagnostics.length > 0 && diagnostics;
    });

    assert.deepEqual(
      found.map((diagnostic) => [diagnostic.range.start.line, diagnostic.message]),
      [[2, '"output" is missing.']],
    );
    assert.deepEqual(ownDiagnostics(settings), []);
    assert.deepEqual(ownDiagnostics(chat), []);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });

  test('downloads the stored file', async () => {
    const dataset = uploaded.get('generated');
    assert.ok(dataset);
    const target = vscode.Uri.file(path.join(tempDir, 'downloaded.jsonl'));
    dialogs.saveTo(target);

    const written = await vscode.commands.executeCommand<vscode.Uri>(`${COMMAND}.download`, {
      dataset,
    });

    assert.equal(written.fsPath, target.fsPath);
    assert.deepEqual(
      fs.readFileSync(target.fsPath),
      fs.readFileSync(path.join(tempDir, 'generated.jsonl')),
    );
    assert.deepEqual(prompts.messages('info'), [
      `Downloaded dataset ${dataset.name} to ${target.fsPath}.`,
    ]);
    assert.equal(dialogs.progressTitles.length, 1);
    assert.match(dialogs.progressTitles[0] ?? '', /^Downloading Generated \w+ \(\d+ KB\)$/);
    prompts.assertDone();
  });

  test('delete asks first', async () => {
    const dataset = uploaded.get('retried');
    assert.ok(dataset);
    prompts.confirmWith(false, true);

    const keptAfterNo = await vscode.commands.executeCommand<boolean>(`${COMMAND}.delete`, {
      dataset,
    });
    assert.equal(keptAfterNo, false);
    assert.ok(await hasDataset(dataset.name));

    const deleted = await vscode.commands.executeCommand<boolean>(`${COMMAND}.delete`, {
      dataset,
    });

    assert.equal(deleted, true);
    assert.equal(await hasDataset(dataset.name), false);
    assert.equal(prompts.confirmations[0]?.message, `Delete dataset ${dataset.name}?`);
    assert.match(
      prompts.confirmations[0]?.detail ?? '',
      /^Its file \(.+, 1,?500 records, all valid\) and its validation report are deleted/,
    );
    assert.equal(prompts.confirmations[0]?.action, 'Delete');
    prompts.assertDone();
  });

  test('delete shows why a training task blocks it', async () => {
    const dataset = uploaded.get('alpaca');
    assert.ok(dataset);
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { format: 'pem', type: 'pkcs1' },
      publicKeyEncoding: { format: 'pem', type: 'spki' },
    });
    // The host is only stored; a pending task never connects to it.
    const { gpuHost } = await api.client.request<{ gpuHost: { id: number } }>(
      'POST',
      '/api/gpu-hosts',
      {
        body: {
          name: `Datasets test ${run}`,
          host: '127.0.0.1',
          user: 'trainer',
          privateKey,
          workDir: 'runs',
        },
      },
    );
    const { task } = await api.client.request<{ task: { id: number } }>(
      'POST',
      '/api/training/tasks',
      {
        body: {
          name: `Uses ${dataset.name}`,
          baseModel: 'Qwen/Qwen2.5-0.5B-Instruct',
          datasetId: dataset.id,
          gpuHostId: gpuHost.id,
        },
      },
    );
    try {
      prompts.confirmWith(true);

      const deleted = await vscode.commands.executeCommand<boolean>(`${COMMAND}.delete`, {
        dataset,
      });

      assert.equal(deleted, false);
      assert.deepEqual(prompts.errors, [
        {
          message:
            `Could not delete dataset ${dataset.name}: Dataset ${dataset.id} is used by training ` +
            `task ${task.id} (pending); stop or delete the task first.`,
          actions: [],
        },
      ]);
      assert.ok(await hasDataset(dataset.name));
      prompts.assertDone();
    } finally {
      await api.client.request('DELETE', `/api/training/tasks/${task.id}`);
      await api.client.request('DELETE', `/api/gpu-hosts/${gpuHost.id}`);
    }
  });
});
