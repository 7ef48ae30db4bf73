import assert from 'node:assert/strict';
import { setup, suite, suiteSetup, suiteTeardown, test } from 'mocha';
import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import { signIn } from '../auth/signIn.js';
import type { WorkbenchApi } from '../extension.js';
import type { ConvertedFile } from '../prompts/convertFile.js';
import type { PromptCategoryNode } from '../views/nodes/promptCategoryNode.js';
import type { PromptNode } from '../views/nodes/promptNode.js';
import type { PromptsView } from '../views/promptsView.js';
import { activateExtension, EXTENSION_ID, readTestConfig, waitFor } from './environment.js';
import { ScriptedPrompts } from './scriptedPrompts.js';

// Prompt files in the editor (diagnostics and quick fixes, computed locally and so checked signed
// out) and the prompt library through the Prompts view and its commands, on the real server.
// The fixtures are copied into the test workspace, so they open as ordinary files.

/** A diagnostic as the Problems panel shows it: 0-based range, message, severity, source, code. */
interface ShownDiagnostic {
  range: [number, number, number, number];
  message: string;
  severity: vscode.DiagnosticSeverity;
  source: string | undefined;
  code: string | number | undefined;
}

const { Error: ERROR, Warning: WARNING } = vscode.DiagnosticSeverity;

/** Returns the LLM Workbench diagnostics of a document; the JSON language service adds its own. */
function shown(uri: vscode.Uri): ShownDiagnostic[] {
  const ours = vscode.languages
    .getDiagnostics(uri)
    .filter((diagnostic) => diagnostic.source === 'LLM Workbench');
  return ours.map((diagnostic) => ({
    range: [
      diagnostic.range.start.line,
      diagnostic.range.start.character,
      diagnostic.range.end.line,
      diagnostic.range.end.character,
    ],
    message: diagnostic.message,
    severity: diagnostic.severity,
    source: diagnostic.source,
    code: typeof diagnostic.code === 'object' ? diagnostic.code.value : diagnostic.code,
  }));
}

function expected(
  range: ShownDiagnostic['range'],
  severity: vscode.DiagnosticSeverity,
  code: string,
  message: string,
): ShownDiagnostic {
  return { range, message, severity, source: 'LLM Workbench', code };
}

/** Waits until the document's diagnostics have `count` entries, and returns them. */
function diagnosticsOf(uri: vscode.Uri, count: number): Promise<ShownDiagnostic[]> {
  return waitFor(`${count} diagnostics on ${uri.path}`, () => {
    const current = shown(uri);
    return current.length === count ? current : undefined;
  });
}

/** Runs the quick fix with `title` on the document's diagnostic at `range`. */
async function applyQuickFix(document: vscode.TextDocument, range: vscode.Range, title: string) {
  const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
    'vscode.executeCodeActionProvider',
    document.uri,
    range,
    vscode.CodeActionKind.QuickFix.value,
  );
  const action = actions.find((candidate) => candidate.title === title);
  assert.ok(action, `no quick fix "${title}": ${actions.map((a) => a.title).join(', ')}`);
  if (action.edit !== undefined) {
    assert.ok(await vscode.workspace.applyEdit(action.edit), 'the edit was not applied');
  }
  if (action.command !== undefined) {
    await vscode.commands.executeCommand(
      action.command.command,
      ...((action.command.arguments ?? []) as unknown[]),
    );
  }
}

/**
 * Closes every editor without saving. Closing a changed editor with the Close All command would
 * open a save dialog that blocks the tests.
 */
async function closeEditorsWithoutSaving(): Promise<void> {
  for (let closed = 0; closed < 100; closed += 1) {
    const tab = vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((candidate) => candidate.input instanceof vscode.TabInputText);
    if (tab === undefined) {
      return;
    }
    const { uri } = tab.input as vscode.TabInputText;
    await vscode.window.showTextDocument(uri, { viewColumn: tab.group.viewColumn });
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  }
}

function labelOf(item: vscode.TreeItem): string {
  return typeof item.label === 'string' ? item.label : (item.label?.label ?? '');
}

function rangeOf(diagnostic: ShownDiagnostic): vscode.Range {
  const [startLine, startCharacter, endLine, endCharacter] = diagnostic.range;
  return new vscode.Range(startLine, startCharacter, endLine, endCharacter);
}

suite('prompt files', () => {
  let api: WorkbenchApi;
  let folder: vscode.Uri;
  let workspaceFolder: vscode.WorkspaceFolder;

  suiteSetup(async () => {
    api = await activateExtension();
    if ((await api.store.user()) !== undefined) {
      await api.authProvider.signOut();
    }
    const extension = vscode.extensions.getExtension(EXTENSION_ID)!;
    const fixtures = vscode.Uri.joinPath(
      extension.extensionUri,
      'extension/src/test/fixtures/prompts',
    );
    workspaceFolder = vscode.workspace.workspaceFolders![0]!;
    folder = vscode.Uri.joinPath(workspaceFolder.uri, `prompt-files-${Date.now()}`);
    await vscode.workspace.fs.copy(fixtures, folder);
  });

  suiteTeardown(async () => {
    await closeEditorsWithoutSaving();
    await vscode.workspace
      .getConfiguration('llmWorkbench.prompts', workspaceFolder.uri)
      .update('variables', undefined, vscode.ConfigurationTarget.WorkspaceFolder);
    await vscode.workspace.fs.delete(folder, { recursive: true });
  });

  async function open(name: string): Promise<vscode.TextDocument> {
    const document = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, name));
    await vscode.window.showTextDocument(document);
    return document;
  }

  test('misspelt openai role is an error', async () => {
    const document = await open('misspelt-role.prompt.json');

    assert.equal(document.languageId, 'json');
    assert.deepEqual(await diagnosticsOf(document.uri, 1), [
      expected(
        [1, 12, 1, 19],
        ERROR,
        'unknown-role',
        'Unknown role "sytem"; use one of system, developer, user, assistant, tool. Did you mean "system"?',
      ),
    ]);
  });

  test('role quick fix replaces the role', async () => {
    const document = await open('misspelt-role.prompt.json');
    const [diagnostic] = await diagnosticsOf(document.uri, 1);

    await applyQuickFix(document, rangeOf(diagnostic!), 'Change "sytem" to "system"');

    assert.equal(
      document.lineAt(1).text,
      '  { "role": "system", "content": "You answer in one sentence." },',
    );
    await diagnosticsOf(document.uri, 0);
  });

  test('Modelfile without FROM has two errors', async () => {
    const document = await open('assistant.modelfile');

    assert.equal(document.languageId, 'modelfile');
    assert.deepEqual(await diagnosticsOf(document.uri, 2), [
      expected(
        [0, 0, 0, 9],
        ERROR,
        'missing-from',
        'This Modelfile has no FROM line; add one naming the base model, such as FROM llama3.2.',
      ),
      expected(
        [0, 10, 0, 20],
        ERROR,
        'unknown-parameter',
        'Unknown parameter "temprature". Did you mean "temperature"?',
      ),
    ]);
  });

  test('FROM quick fix adds the line', async () => {
    const document = await open('assistant.modelfile');
    const [missingFrom] = await diagnosticsOf(document.uri, 2);

    await applyQuickFix(document, rangeOf(missingFrom!), 'Add a FROM line');

    assert.equal(
      document.getText(),
      'FROM <model>\nPARAMETER temprature 0.4\nSYSTEM You are a terse assistant.\n',
    );
    const [remaining] = await diagnosticsOf(document.uri, 1);
    assert.equal(remaining?.code, 'unknown-parameter');
    assert.deepEqual(remaining?.range, [1, 10, 1, 20]);
  });

  test('undeclared custom variable is a warning', async () => {
    const document = await open('tutor.prompt.md');

    // Recent VS Code gives *.prompt.md files its own `prompt` language; older ones say markdown.
    assert.ok(
      ['markdown', 'prompt'].includes(document.languageId),
      `unexpected language ${document.languageId}`,
    );
    assert.deepEqual(await diagnosticsOf(document.uri, 1), [
      expected(
        [7, 23, 7, 32],
        WARNING,
        'undeclared-variable',
        'Variable "level" is used but not declared; add it to the "variables" list of the front matter.',
      ),
    ]);
  });

  test('front matter quick fix declares it', async () => {
    const document = await open('tutor.prompt.md');
    const [diagnostic] = await diagnosticsOf(document.uri, 1);

    await applyQuickFix(document, rangeOf(diagnostic!), 'Declare "level" in the front matter');

    assert.match(
      document.getText(),
      /^---\nname: Fixture tutor\ncategory: Education\nvariables:\n {2}- subject\n {2}- level\n---\n/,
    );
    await diagnosticsOf(document.uri, 0);
  });

  test('edits are checked after a pause', async () => {
    const document = await open('tutor.prompt.md');
    await diagnosticsOf(document.uri, 0);
    const edit = new vscode.WorkspaceEdit();
    const end = document.lineAt(document.lineCount - 1).range.end;
    edit.insert(document.uri, end, 'Mood: {{mood}}.');
    const started = Date.now();

    assert.ok(await vscode.workspace.applyEdit(edit));

    const [diagnostic] = await diagnosticsOf(document.uri, 1);
    assert.ok(Date.now() - started >= 240, `checked after ${Date.now() - started} ms`);
    assert.match(diagnostic?.message ?? '', /^Variable "mood" is used but not declared/);
  });

  test('openai variables without a list are not checked', async () => {
    const document = await open('support.prompt.json');

    // A file without an entry in llmWorkbench.prompts.variables declares nothing to check.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(shown(document.uri), []);
  });

  test('Declare quick fix writes the setting', async () => {
    const document = await open('support.prompt.json');
    const key = vscode.workspace.asRelativePath(document.uri, false);
    const configuration = () =>
      vscode.workspace.getConfiguration('llmWorkbench.prompts', workspaceFolder.uri);
    await configuration().update(
      'variables',
      { [key]: ['product'] },
      vscode.ConfigurationTarget.WorkspaceFolder,
    );
    const [diagnostic] = await diagnosticsOf(document.uri, 1);
    assert.deepEqual(
      diagnostic,
      expected(
        [3, 66, 3, 74],
        WARNING,
        'undeclared-variable',
        'Variable "tone" is used but not declared; add it to the prompt\'s declared variables.',
      ),
    );

    await applyQuickFix(document, rangeOf(diagnostic), 'Declare "tone"');

    assert.deepEqual(configuration().get<Record<string, string[]>>('variables')?.[key], [
      'product',
      'tone',
    ]);
    await diagnosticsOf(document.uri, 0);
    assert.equal(document.isDirty, false, 'the quick fix changed the prompt file');
  });
});

suite('prompt library', () => {
  let api: WorkbenchApi;
  let view: PromptsView;
  let prompts: ScriptedPrompts;
  let folder: vscode.Uri;
  const suffix = String(Date.now());
  const created: number[] = [];

  suiteSetup(async () => {
    const config = readTestConfig();
    api = await activateExtension();
    view = api.views.prompts;
    if ((await api.store.user()) === undefined) {
      await signIn(api.store, {
        serverUrl: config.serverUrl,
        login: config.login,
        password: config.password,
      });
    }
    folder = vscode.Uri.joinPath(
      vscode.workspace.workspaceFolders![0]!.uri,
      `prompt-library-${suffix}`,
    );
    await vscode.workspace.fs.createDirectory(folder);
  });

  setup(() => {
    prompts = new ScriptedPrompts();
    view.prompts = prompts;
  });

  suiteTeardown(async () => {
    view.prompts = view.quickInputPrompts;
    await closeEditorsWithoutSaving();
    for (const id of created) {
      await api.client.request('DELETE', `/api/prompts/${id}`).catch(() => undefined);
    }
    await vscode.workspace.fs.delete(folder, { recursive: true });
    await api.authProvider.signOut();
  });

  async function categories(): Promise<PromptCategoryNode[]> {
    return (await view.getChildren()) as PromptCategoryNode[];
  }

  async function promptNode(name: string): Promise<PromptNode> {
    for (const category of await categories()) {
      const node = ((await view.getChildren(category)) as PromptNode[]).find(
        (item) => item.label === name,
      );
      if (node !== undefined) {
        return node;
      }
    }
    assert.fail(`no prompt ${name} in the Prompts view`);
  }

  async function nodeOfPrompt(id: number): Promise<PromptNode> {
    for (const category of await categories()) {
      const node = ((await view.getChildren(category)) as PromptNode[]).find(
        (item) => item.prompt.id === id,
      );
      if (node !== undefined) {
        return node;
      }
    }
    assert.fail(`no prompt ${id} in the Prompts view`);
  }

  async function writeFile(name: string, content: string): Promise<vscode.TextDocument> {
    const uri = vscode.Uri.joinPath(folder, name);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(content));
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document);
    return document;
  }

  test('view groups seeded built-ins by category', async () => {
    const labels = (await categories()).map(labelOf);
    const general = (await categories()).find((node) => node.label === 'General');
    assert.ok(general, `no General category in ${labels.join(', ')}`);
    const children = (await view.getChildren(general)) as PromptNode[];

    for (const category of ['Data', 'Education', 'Engineering', 'General', 'Support', 'Writing']) {
      assert.ok(labels.includes(category), `no ${category} in ${labels.join(', ')}`);
    }
    assert.deepEqual(
      children.map((node) => [node.label, node.description, node.contextValue]),
      [
        ['Concise assistant', 'Ollama Modelfile · built-in', 'prompt.builtIn'],
        ['Helpful assistant', 'OpenAI messages · built-in', 'prompt.builtIn'],
      ],
    );
  });

  test('Open Prompt as File opens an untitled editor', async () => {
    const node = await promptNode('Code reviewer');

    const document = await vscode.commands.executeCommand<vscode.TextDocument>(
      'llmWorkbench.prompts.open',
      node,
    );

    assert.equal(document.uri.scheme, 'untitled');
    assert.match(document.uri.path, /\/Code reviewer\.prompt\.json$/);
    assert.equal(document.languageId, 'json');
    assert.equal(document.getText(), node.prompt.content);
    assert.equal(vscode.window.activeTextEditor?.document, document);
    // The stored list declares "language", which the content uses, so nothing is reported.
    await new Promise((resolve) => setTimeout(resolve, 400));
    assert.deepEqual(shown(document.uri), []);
  });

  test('Save to Library creates a prompt', async () => {
    await writeFile(
      'weather.prompt.json',
      '[{"role": "system", "content": "Report the weather in {{city}}."}]\n',
    );
    prompts.answer({ input: `Weather ${suffix}` }, { input: 'Tests' });

    const saved = await vscode.commands.executeCommand<ApiPrompt>(
      'llmWorkbench.prompts.saveToLibrary',
    );

    assert.ok(saved, JSON.stringify(prompts.errors));
    created.push(saved.id);
    assert.deepEqual(
      prompts.steps.map((step) => [step.prompt, step.value]),
      [
        ['Name of the prompt in your library', 'weather'],
        ['Category, such as Engineering; leave it empty for none', ''],
      ],
    );
    assert.equal(saved.name, `Weather ${suffix}`);
    assert.equal(saved.category, 'Tests');
    assert.deepEqual(saved.variables, [{ name: 'city' }]);
    assert.deepEqual(prompts.messages('info'), [
      `Saved "Weather ${suffix}" to the prompt library.`,
    ]);
    const node = await promptNode(`Weather ${suffix}`);
    assert.equal(node.contextValue, 'prompt.own');
    prompts.assertDone();
  });

  test('Save to Library updates the linked prompt', async () => {
    const document = await vscode.commands.executeCommand<vscode.TextDocument>(
      'llmWorkbench.prompts.open',
      await promptNode(`Weather ${suffix}`),
    );
    const edit = new vscode.WorkspaceEdit();
    edit.replace(
      document.uri,
      document.lineAt(0).range,
      '[{"role": "system", "content": "Forecast for {{city}}."}]',
    );
    assert.ok(await vscode.workspace.applyEdit(edit));
    prompts.answer({ pick: `Update "Weather ${suffix}"` });

    const saved = await vscode.commands.executeCommand<ApiPrompt>(
      'llmWorkbench.prompts.saveToLibrary',
    );

    assert.equal(saved.id, created[0]);
    const { prompt } = await api.client.request<{ prompt: ApiPrompt }>(
      'GET',
      `/api/prompts/${saved.id}`,
    );
    assert.equal(prompt.content, '[{"role": "system", "content": "Forecast for {{city}}."}]\n');
    prompts.assertDone();
  });

  test('Save to Library refuses a file with errors', async () => {
    await writeFile('broken.prompt.json', '[{"role": "robot", "content": "x"}]');

    const saved = await vscode.commands.executeCommand<ApiPrompt | undefined>(
      'llmWorkbench.prompts.saveToLibrary',
    );

    assert.equal(saved, undefined);
    assert.deepEqual(prompts.messages('error'), [
      'broken.prompt.json has 1 error; fix it first. Line 1: Unknown role "robot"; use one of system, developer, user, assistant, tool.',
    ]);
    prompts.assertDone();
  });

  test('Convert opens the Modelfile beside it', async () => {
    const source = await writeFile(
      'helper.prompt.json',
      '[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi", "name": "ada"}]\n',
    );
    prompts.answer({ pick: 'Ollama Modelfile' }, { input: 'llama3.2' });

    const converted = await vscode.commands.executeCommand<ConvertedFile>(
      'llmWorkbench.prompts.convert',
      source.uri,
    );

    assert.deepEqual(
      prompts.steps.map((step) => step.items ?? step.prompt),
      [
        ['Ollama Modelfile', 'Custom Markdown'],
        'Base model for the FROM line, such as llama3.2; empty leaves <model>',
      ],
    );
    const { document, warnings } = converted;
    assert.match(document.uri.path, /\/helper\.modelfile$/);
    assert.equal(document.languageId, 'modelfile');
    assert.equal(document.getText(), 'FROM llama3.2\nSYSTEM Be brief.\nMESSAGE user Hi\n');
    assert.deepEqual(
      warnings.map((warning) => warning.code),
      ['name-dropped'],
    );
    assert.deepEqual(prompts.messages('warning'), [
      `Converted to Ollama Modelfile with a warning: ${warnings[0]?.message}`,
    ]);
    prompts.assertDone();
  });

  test('Set as Default copies a built-in', async () => {
    const node = await promptNode('Concise assistant');
    prompts.confirmWith(true);

    const saved = await vscode.commands.executeCommand<ApiPrompt>(
      'llmWorkbench.prompts.setDefault',
      node,
    );

    created.push(saved.id);
    assert.equal(
      prompts.confirmations[0]?.message,
      'Built-in prompt "Concise assistant" is read-only.',
    );
    assert.equal(saved.isDefault, true);
    assert.equal(saved.isBuiltIn, false);
    assert.equal(saved.content, node.prompt.content);
    const copyNode = await nodeOfPrompt(saved.id);
    assert.equal(copyNode.contextValue, 'prompt.ownDefault');
    prompts.assertDone();
  });

  test('Copy to My Prompts copies a built-in', async () => {
    const node = await promptNode('Meeting notes');

    const copy = await vscode.commands.executeCommand<ApiPrompt>('llmWorkbench.prompts.copy', node);

    created.push(copy.id);
    assert.equal(copy.isBuiltIn, false);
    assert.equal(copy.content, node.prompt.content);
    assert.deepEqual(prompts.messages('info'), [
      `Copied "Meeting notes" to your prompts as "${copy.name}".`,
    ]);
    prompts.assertDone();
  });

  test('Delete asks first', async () => {
    const node = await promptNode(`Weather ${suffix}`);
    prompts.confirmWith(false, true);

    const kept = await vscode.commands.executeCommand<boolean>('llmWorkbench.prompts.delete', node);
    const deleted = await vscode.commands.executeCommand<boolean>(
      'llmWorkbench.prompts.delete',
      node,
    );

    assert.equal(kept, false);
    assert.equal(deleted, true);
    assert.equal(prompts.confirmations[0]?.message, `Delete prompt "Weather ${suffix}"?`);
    await assert.rejects(
      api.client.request('GET', `/api/prompts/${node.prompt.id}`),
      // The extension and this test are separate bundles, each with its own ApiError class.
      (error: unknown) =>
        (error as { name?: string }).name === 'ApiError' &&
        (error as { status?: number }).status === 404,
    );
    const names = (await categories()).map(labelOf);
    assert.ok(!names.includes('Tests'), `the Tests category is still shown: ${names.join(', ')}`);
    prompts.assertDone();
  });

  test('Search finds a prompt by its text', async () => {
    const shownSearch = new Promise<vscode.QuickPick<vscode.QuickPickItem>>((resolve) => {
      const listener = view.onDidShowSearch((quickPick) => {
        listener.dispose();
        resolve(quickPick);
      });
    });
    const result = vscode.commands.executeCommand<vscode.TextDocument>(
      'llmWorkbench.prompts.search',
    );
    const quickPick = await shownSearch;

    quickPick.value = 'formatter would';
    const items = await waitFor('the search results', () => {
      const labels = quickPick.items.map((item) => item.label);
      return labels.length === 1 ? quickPick.items : undefined;
    });
    assert.equal(items[0]?.label, 'Code reviewer');
    quickPick.activeItems = [items[0]];
    await new Promise((resolve) => setTimeout(resolve, 100));
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');

    const document = await result;
    assert.match(document.uri.path, /\/Code reviewer\.prompt\.json$/);
    prompts.assertDone();
  });
});
