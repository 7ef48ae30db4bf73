import * as vscode from 'vscode';
import type { ApiDatasetDetail } from '../../../shared/src/api/datasets.js';
import type { ApiUser } from '../../../shared/src/api/users.js';
import type { ApiClient } from '../api/client.js';
import type { SessionStore } from '../auth/sessionStore.js';
import { registerDatasetCommands } from '../commands/datasetCommands.js';
import { QuickInputPrompts, type PromptUi } from '../commands/promptUi.js';
import { vscodeDatasetDialogs, type DatasetDialogs } from '../datasets/datasetDialogs.js';
import { DatasetsApi } from '../datasets/datasetsApi.js';
import { ReportDocuments } from '../datasets/reportDocuments.js';
import { DatasetSourceFiles } from '../datasets/sourceFiles.js';
import type { Logger } from '../log.js';
import { DatasetNode } from './nodes/datasetNode.js';
import { MessageNode } from './nodes/messageNode.js';
import { ServerTreeProvider } from './serverTreeProvider.js';

export const DATASETS_VIEW_ID = 'llmWorkbench.datasets';
/** Datasets the view lists at most, newest first. */
const MAX_LISTED = 1000;

export interface DatasetsViewDeps {
  client: ApiClient;
  store: SessionStore;
  log: Logger;
  /** The extension's global state, where the local file of each upload is remembered. */
  state: vscode.Memento;
}

/**
 * The Datasets view: the user's datasets (every user's for an admin) with their validation
 * results. It owns the dataset commands and the report documents.
 */
export class DatasetsView extends ServerTreeProvider<DatasetNode | MessageNode> {
  readonly api: DatasetsApi;
  readonly sources: DatasetSourceFiles;
  readonly reports: ReportDocuments;
  /** The prompts and messages of the commands. The in-host tests replace it with a script. */
  prompts: PromptUi;
  /** The file dialogs and progress notifications; the in-host tests replace them too. */
  dialogs: DatasetDialogs = vscodeDatasetDialogs;
  /** Loaded reports, by server and dataset id; a stored dataset's report never changes. */
  private readonly details = new Map<string, ApiDatasetDetail>();

  constructor(deps: DatasetsViewDeps) {
    super(DATASETS_VIEW_ID, deps.store, deps.log);
    this.api = new DatasetsApi(deps.client, deps.store);
    this.sources = new DatasetSourceFiles(deps.state, () => deps.store.serverUrl());
    this.reports = new ReportDocuments((id) => this.detail(id), this.sources);
    const quickInputPrompts = new QuickInputPrompts(deps.log);
    this.prompts = quickInputPrompts;
    this.disposables.push(
      quickInputPrompts,
      this.reports,
      ...registerDatasetCommands(this, deps.log),
    );
  }

  /** Returns the signed-in user, or undefined when signed out. */
  currentUser(): Promise<ApiUser | undefined> {
    return this.store.user();
  }

  /** Returns a dataset with its report, loaded once per dataset. */
  async detail(datasetId: number): Promise<ApiDatasetDetail> {
    const key = this.detailKey(datasetId);
    let detail = this.details.get(key);
    if (detail === undefined) {
      detail = await this.api.get(datasetId);
      this.details.set(key, detail);
    }
    return detail;
  }

  /** Keeps a report the server just returned, such as after an upload. */
  keepDetail(detail: ApiDatasetDetail): void {
    this.details.set(this.detailKey(detail.id), detail);
  }

  forgetDetail(datasetId: number): void {
    this.details.delete(this.detailKey(datasetId));
  }

  /** Fills in a dataset's tooltip on hover, once its report is loaded. */
  async resolveTreeItem(
    item: vscode.TreeItem,
    element: DatasetNode | MessageNode,
  ): Promise<vscode.TreeItem> {
    if (element instanceof DatasetNode && element.tooltip === undefined) {
      try {
        element.showDetail(await this.detail(element.dataset.id));
      } catch (error) {
        this.log.warn(`Could not load the report of dataset ${element.dataset.id}`, error);
        element.showDetail(undefined);
      }
      item.tooltip = element.tooltip;
    }
    return item;
  }

  protected async loadRoots(): Promise<(DatasetNode | MessageNode)[]> {
    const [user, page] = await Promise.all([this.store.user(), this.api.list(MAX_LISTED)]);
    const nodes: (DatasetNode | MessageNode)[] = page.datasets.map(
      (dataset) =>
        new DatasetNode(dataset, {
          ownedByOther: user !== undefined && dataset.ownerId !== user.id,
          detail: this.details.get(this.detailKey(dataset.id)),
        }),
    );
    if (page.total > page.datasets.length) {
      nodes.push(
        new MessageNode(
          vscode.l10n.t(
            'Only the newest {0} of {1} datasets are listed.',
            page.datasets.length,
            page.total,
          ),
          'info',
        ),
      );
    }
    return nodes;
  }

  private detailKey(datasetId: number): string {
    return `${this.store.serverUrl()}#${datasetId}`;
  }
}
