import * as vscode from 'vscode';

const STATE_KEY = 'llmWorkbench.datasets.sourceFiles';
/** Datasets remembered at most; the oldest are forgotten first. */
const MAX_ENTRIES = 500;

interface SourceEntry {
  /** The local file, as a URI string. */
  uri: string;
  /** The SHA-256 of the file when it was uploaded, equal to the dataset's. */
  sha256: string;
  uploadedAt: string;
}

/** The local file a dataset was uploaded from. */
export interface DatasetSource {
  uri: vscode.Uri;
  sha256: string;
  uploadedAt: Date;
}

/**
 * Remembers which local file each dataset was uploaded from, per server, so its report can link
 * errors to lines in that file. Kept in the extension's global state, across windows.
 */
export class DatasetSourceFiles {
  constructor(
    private readonly state: vscode.Memento,
    private readonly serverUrl: () => string,
  ) {}

  get(datasetId: number): DatasetSource | undefined {
    const entry = this.entries()[this.key(datasetId)];
    if (entry === undefined) {
      return undefined;
    }
    return {
      uri: vscode.Uri.parse(entry.uri, true),
      sha256: entry.sha256,
      uploadedAt: new Date(entry.uploadedAt),
    };
  }

  async remember(datasetId: number, uri: vscode.Uri, sha256: string): Promise<void> {
    const entries = this.entries();
    delete entries[this.key(datasetId)];
    entries[this.key(datasetId)] = {
      uri: uri.toString(),
      sha256,
      uploadedAt: new Date().toISOString(),
    };
    const keys = Object.keys(entries);
    // Object keys keep insertion order, so the first ones are the oldest.
    for (const key of keys.slice(0, Math.max(0, keys.length - MAX_ENTRIES))) {
      delete entries[key];
    }
    await this.state.update(STATE_KEY, entries);
  }

  async forget(datasetId: number): Promise<void> {
    const entries = this.entries();
    const key = this.key(datasetId);
    if (key in entries) {
      delete entries[key];
      await this.state.update(STATE_KEY, entries);
    }
  }

  private entries(): Record<string, SourceEntry> {
    return { ...this.state.get<Record<string, SourceEntry>>(STATE_KEY, {}) };
  }

  private key(datasetId: number): string {
    return `${this.serverUrl()}#${datasetId}`;
  }
}
