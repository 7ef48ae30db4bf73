// Declared {{variables}} of prompt files that cannot declare them inside the file: openai JSON,
// Modelfiles and custom files without front matter.
//
// A comment would make the JSON invalid for the OpenAI API, and a Modelfile comment would travel
// to Ollama with the file, so the list lives outside the file. For a workspace file it is the
// `llmWorkbench.prompts.variables` setting, keyed by the path relative to its workspace folder,
// so the list is shared through the repository's .vscode/settings.json. For an untitled document
// opened from the prompt library, or converted from another file, the list is kept in memory
// and saved to the library with the prompt.
import * as vscode from 'vscode';
import type { VariableDeclaration } from '../../../shared/src/prompts/index.js';

const SECTION = 'llmWorkbench.prompts';
const KEY = 'variables';

/** Declared variable names by workspace-relative path, as the setting stores them. */
type VariablesSetting = Record<string, string[]>;

/** The declared variable lists of prompt files, and the way to add names to them. */
export class DeclaredVariables implements vscode.Disposable {
  /** Lists of untitled documents, by document URI. */
  private readonly documentLists = new Map<string, VariableDeclaration[]>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when any list may have changed, so diagnostics are computed again. */
  readonly onDidChange = this.changed.event;
  private readonly settingWatch: vscode.Disposable;

  constructor() {
    this.settingWatch = vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(`${SECTION}.${KEY}`)) {
        this.changed.fire();
      }
    });
  }

  /**
   * Returns the declared list of a document, or undefined when it has none, in which case the
   * validator skips the undeclared and unused variable checks.
   */
  listFor(document: vscode.TextDocument): readonly VariableDeclaration[] | undefined {
    const inMemory = this.documentLists.get(document.uri.toString());
    if (inMemory !== undefined) {
      return inMemory;
    }
    const { key, folder } = settingKey(document.uri);
    const names = readSetting(folder)[key];
    return Array.isArray(names) ? names.map((name) => ({ name: String(name) })) : undefined;
  }

  /** Sets the in-memory list of an untitled document. */
  setDocumentList(uri: vscode.Uri, variables: readonly VariableDeclaration[]): void {
    this.documentLists.set(uri.toString(), [...variables]);
    this.changed.fire();
  }

  /** Forgets the in-memory list of a closed document. */
  forget(uri: vscode.Uri): void {
    this.documentLists.delete(uri.toString());
  }

  /**
   * Adds names to a document's list: in memory for an untitled document, else in the setting of
   * the document's workspace folder, or in the user settings for a file outside any folder.
   */
  async declare(uri: vscode.Uri, names: readonly string[]): Promise<void> {
    const inMemory =
      this.documentLists.get(uri.toString()) ?? (uri.scheme === 'untitled' ? [] : undefined);
    if (inMemory !== undefined) {
      this.documentLists.set(uri.toString(), inMemory);
      const known = new Set(inMemory.map((variable) => variable.name));
      inMemory.push(...names.filter((name) => !known.has(name)).map((name) => ({ name })));
      this.changed.fire();
      return;
    }
    const { key, folder } = settingKey(uri);
    const configuration = vscode.workspace.getConfiguration(SECTION, folder?.uri ?? null);
    const inspected = configuration.inspect<VariablesSetting>(KEY);
    const current = (folder ? folderValue(inspected) : inspected?.globalValue) ?? {};
    const existing = current[key] ?? [];
    const merged = [...existing, ...names.filter((name) => !existing.includes(name))];
    await configuration.update(
      KEY,
      { ...current, [key]: merged },
      folder ? vscode.ConfigurationTarget.WorkspaceFolder : vscode.ConfigurationTarget.Global,
    );
  }

  dispose(): void {
    this.settingWatch.dispose();
    this.changed.dispose();
  }
}

/**
 * Returns the setting key of a file: its path relative to its workspace folder with forward
 * slashes, or its absolute path when it is in no folder.
 */
export function settingKey(uri: vscode.Uri): {
  key: string;
  folder: vscode.WorkspaceFolder | undefined;
} {
  const folder = vscode.workspace.getWorkspaceFolder(uri);
  if (folder === undefined) {
    return { key: uri.scheme === 'file' ? uri.fsPath : uri.toString(), folder };
  }
  return { key: vscode.workspace.asRelativePath(uri, false).replace(/\\/g, '/'), folder };
}

function readSetting(folder: vscode.WorkspaceFolder | undefined): VariablesSetting {
  const value = vscode.workspace
    .getConfiguration(SECTION, folder?.uri ?? null)
    .get<VariablesSetting>(KEY);
  return typeof value === 'object' && value !== null ? value : {};
}

/**
 * Returns the value set for a workspace folder. A window with one folder and no workspace file
 * keeps folder settings as workspace settings, so that value counts there too.
 */
function folderValue(
  inspected:
    { workspaceValue?: VariablesSetting; workspaceFolderValue?: VariablesSetting } | undefined,
): VariablesSetting | undefined {
  if (inspected?.workspaceFolderValue !== undefined) {
    return inspected.workspaceFolderValue;
  }
  return vscode.workspace.workspaceFile === undefined ? inspected?.workspaceValue : undefined;
}
