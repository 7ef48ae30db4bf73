// Editor documents of prompts: new untitled documents named after a prompt, and the library
// prompt each one came from, so that Save to Library updates it.
import * as vscode from 'vscode';
import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import type { PromptFormat, VariableDeclaration } from '../../../shared/src/prompts/index.js';
import type { DeclaredVariables } from './declaredVariables.js';

/** The file name ending of each format. */
export const FORMAT_EXTENSIONS: Record<PromptFormat, string> = {
  openai: '.prompt.json',
  ollama: '.modelfile',
  custom: '.prompt.md',
};

/** The language of each format's documents; `modelfile` is contributed by this extension. */
export const FORMAT_LANGUAGES: Record<PromptFormat, string> = {
  openai: 'json',
  ollama: 'modelfile',
  custom: 'markdown',
};

/** The content of a new untitled document, and the editor column it opens in. */
interface UntitledContent {
  format: PromptFormat;
  content: string;
  variables?: readonly VariableDeclaration[];
  column?: vscode.ViewColumn;
}

/** The library prompt a document was opened from or saved as. */
export interface PromptLink {
  id: number;
  name: string;
  isBuiltIn: boolean;
}

/** Opens prompts as untitled documents and remembers which library prompt each one holds. */
export class PromptDocuments implements vscode.Disposable {
  private readonly links = new Map<string, PromptLink>();
  private readonly closeWatch: vscode.Disposable;

  constructor(private readonly variables: DeclaredVariables) {
    // NOTE: saving an untitled document to disk gives it a new URI, which has no link, so Save
    // to Library then creates a new prompt.
    this.closeWatch = vscode.workspace.onDidCloseTextDocument((document) => {
      this.links.delete(document.uri.toString());
      this.variables.forget(document.uri);
    });
  }

  linkOf(uri: vscode.Uri): PromptLink | undefined {
    return this.links.get(uri.toString());
  }

  link(uri: vscode.Uri, prompt: ApiPrompt): void {
    this.links.set(uri.toString(), {
      id: prompt.id,
      name: prompt.name,
      isBuiltIn: prompt.isBuiltIn,
    });
  }

  /** Forgets every document's link to a deleted prompt. */
  unlinkPrompt(id: number): void {
    for (const [uri, link] of this.links) {
      if (link.id === id) {
        this.links.delete(uri);
      }
    }
  }

  /**
   * Opens a library prompt in an untitled document named after it, or shows the document it is
   * already open in.
   */
  async openPrompt(prompt: ApiPrompt): Promise<vscode.TextDocument> {
    const uri = untitledUri(prompt.name, prompt.format);
    const open = vscode.workspace.textDocuments.find(
      (document) => document.uri.toString() === uri.toString(),
    );
    if (open !== undefined) {
      await vscode.window.showTextDocument(open);
      return open;
    }
    const document = await this.openUntitled(uri, {
      format: prompt.format,
      content: prompt.content,
      variables: prompt.variables,
    });
    this.link(document.uri, prompt);
    return document;
  }

  /**
   * Opens new content in an untitled document named `<baseName><format extension>` beside the
   * active editor. `variables` becomes the document's declared list, which front matter
   * overrides.
   */
  async openNew(
    baseName: string,
    format: PromptFormat,
    content: string,
    variables?: readonly VariableDeclaration[],
  ): Promise<vscode.TextDocument> {
    let uri = untitledUri(baseName, format);
    for (let number = 2; isOpen(uri); number += 1) {
      uri = untitledUri(`${baseName} (${number})`, format);
    }
    return this.openUntitled(uri, {
      format,
      content,
      ...(variables === undefined ? {} : { variables }),
      column: vscode.ViewColumn.Beside,
    });
  }

  private async openUntitled(
    uri: vscode.Uri,
    options: UntitledContent,
  ): Promise<vscode.TextDocument> {
    const { format, content, variables, column } = options;
    let document = await vscode.workspace.openTextDocument(uri);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(uri, new vscode.Position(0, 0), content);
    await vscode.workspace.applyEdit(edit);
    if (document.languageId !== FORMAT_LANGUAGES[format]) {
      document = await vscode.languages.setTextDocumentLanguage(document, FORMAT_LANGUAGES[format]);
    }
    // After the language change, which closes and reopens the document and so clears its list.
    if (variables !== undefined) {
      this.variables.setDocumentList(uri, variables);
    }
    await vscode.window.showTextDocument(document, {
      preview: false,
      ...(column === undefined ? {} : { viewColumn: column }),
    });
    return document;
  }

  dispose(): void {
    this.closeWatch.dispose();
  }
}

/**
 * Returns the untitled URI of a prompt document: the file name in the first workspace folder,
 * where Save proposes to write it.
 */
function untitledUri(name: string, format: PromptFormat): vscode.Uri {
  const fileName = `${safeFileName(name)}${FORMAT_EXTENSIONS[format]}`;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.path ?? '';
  return vscode.Uri.from({ scheme: 'untitled', path: `${folder}/${fileName}` });
}

/** Replaces characters that file systems reject in a name, and keeps it short. */
function safeFileName(name: string): string {
  const cleaned = name.replace(/[\\/:*?"<>|\p{Cc}]/gu, '-').trim();
  return (cleaned === '' ? 'prompt' : cleaned).slice(0, 120);
}

function isOpen(uri: vscode.Uri): boolean {
  return vscode.workspace.textDocuments.some(
    (document) => document.uri.toString() === uri.toString(),
  );
}
