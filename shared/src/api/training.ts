// GPU hosts and LoRA training tasks: request, response and event shapes of /api/gpu-hosts and
// /api/training. The Training view and monitor in the extension build on these; fields are only
// ever added, never renamed or retyped.

/**
 * Launchers, the ways a host runs training. `llamafactory` starts `llamafactory-cli train` over
 * SSH. `slurm` (sbatch, squeue and scancel over the same SSH) is reserved, and the server rejects
 * it for now.
 */
export const GPU_HOST_LAUNCHERS = ['llamafactory', 'slurm'] as const;
export type GpuHostLauncher = (typeof GPU_HOST_LAUNCHERS)[number];

/** A GPU host as the API returns it; the private key never leaves the server. */
export interface ApiGpuHost {
  id: number;
  name: string;
  host: string;
  port: number;
  user: string;
  /** The SHA256 fingerprint of the private key's public half, shortened, such as `SHA256:AbC1…x9Yz`. */
  keyFingerprintMasked: string;
  /** The confirmed SHA256 fingerprint of the host's key, or null until an admin confirms one. */
  hostKeyFingerprint: string | null;
  /** Runs go to `<workDir>/llm-workbench/runs/<task id>/`; a relative path starts at the home directory. */
  workDir: string;
  /** Shell lines run before `llamafactory-cli`, such as activating a conda environment. */
  setupCommand: string;
  launcher: GpuHostLauncher;
  maxConcurrentRuns: number;
  /** Tasks on this host whose status is `running` or `stopping`. */
  activeRuns: number;
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/gpu-hosts`. `PATCH /api/gpu-hosts/:id` takes the same fields, all optional. */
export interface CreateGpuHostRequest {
  name: string;
  host: string;
  /** 22 when left out. */
  port?: number;
  user: string;
  /** An OpenSSH or PEM private key. Stored encrypted and never returned. */
  privateKey: string;
  /** Only for an encrypted private key. Stored encrypted and never returned. */
  privateKeyPassphrase?: string;
  /** A fingerprint the admin already checked, such as the output of `ssh-keygen -lf`. */
  hostKeyFingerprint?: string | null;
  workDir: string;
  setupCommand?: string;
  launcher?: GpuHostLauncher;
  /** 1 when left out. */
  maxConcurrentRuns?: number;
}

/**
 * `POST /api/gpu-hosts/:id/host-key`. Without `confirmFingerprint` the server connects, reads the
 * presented host key and returns its fingerprint for the admin to compare. With it, the server
 * reads the key again and pins it only if it still matches.
 */
export interface HostKeyRequest {
  confirmFingerprint?: string;
}

export interface HostKeyResponse {
  /** The key the host presented now, as `SHA256:` and unpadded base64, like `ssh-keygen -l`. */
  fingerprint: string;
  /** Such as `ssh-ed25519`. */
  keyType: string;
  /** The pinned fingerprint after this request, or null. */
  pinned: string | null;
  /** Whether the presented key equals the pinned one. */
  matches: boolean;
  gpuHost: ApiGpuHost;
}

/** `GET /api/training/hosts`: a host a task can run on, for any signed-in user. */
export interface ApiTrainingHostChoice {
  id: number;
  name: string;
  maxConcurrentRuns: number;
  /** Tasks running or stopping on the host now. */
  activeRuns: number;
  queuedTasks: number;
  /** False until an admin confirmed the host key; tasks on the host cannot start before. */
  ready: boolean;
}

/** One GPU that `nvidia-smi` listed. */
export interface ApiGpuInfo {
  index: number;
  name: string;
  memoryTotalMiB: number;
  memoryUsedMiB: number;
}

/**
 * `POST /api/gpu-hosts/:id/test`. A missing tool is a finding, not an error: the response is
 * 200 with `ok` false and the reasons in `findings`. Only a failed SSH connection sets `error`.
 */
export interface GpuHostTestResult {
  /** True when the connection worked, llamafactory-cli printed its version and a GPU is listed. */
  ok: boolean;
  latencyMs: number;
  connected: boolean;
  llamaFactoryVersion: string | null;
  gpus: ApiGpuInfo[];
  driverVersion: string | null;
  /** Plain sentences about what is missing or odd, such as "nvidia-smi was not found on PATH". */
  findings: string[];
  error?: { code: string; message: string };
}

export const TRAINING_STATUSES = [
  'pending',
  'queued',
  'running',
  'stopping',
  'completed',
  'failed',
  'stopped',
] as const;
/**
 * `pending`: created, not started. `queued`: waiting for a free run slot on its host.
 * `running`: launched (or launching) on the host. `stopping`: a stop was requested and the run is
 * being asked to end. `completed`, `failed`, `stopped`: ended.
 */
export type TrainingStatus = (typeof TRAINING_STATUSES)[number];

/** Statuses in which the task no longer changes by itself. */
export const FINISHED_TRAINING_STATUSES: readonly TrainingStatus[] = [
  'completed',
  'failed',
  'stopped',
];

/** Learning-rate schedules LLaMA-Factory accepts as `lr_scheduler_type` (Hugging Face names). */
export const LR_SCHEDULERS = [
  'linear',
  'cosine',
  'cosine_with_restarts',
  'polynomial',
  'constant',
  'constant_with_warmup',
  'inverse_sqrt',
  'cosine_with_min_lr',
] as const;
export type LrScheduler = (typeof LR_SCHEDULERS)[number];

export const TRAINING_PRECISIONS = ['bf16', 'fp16', 'fp32'] as const;
export type TrainingPrecision = (typeof TRAINING_PRECISIONS)[number];

/** LoRA fine-tuning parameters; each maps to one LLaMA-Factory YAML key, named beside it. */
export interface TrainingParameters {
  /** `learning_rate`. */
  learningRate: number;
  /** `num_train_epochs`; fractions are allowed. */
  epochs: number;
  /** `per_device_train_batch_size`. */
  batchSize: number;
  /** `gradient_accumulation_steps`. */
  gradientAccumulation: number;
  /** `lora_rank`. */
  loraRank: number;
  /** `lora_alpha`. */
  loraAlpha: number;
  /** `lora_dropout`. */
  loraDropout: number;
  /** `lora_target`: `["all"]` or module names such as `q_proj`. */
  loraTargets: string[];
  /** `cutoff_len`, in tokens. */
  cutoffLength: number;
  /** `lr_scheduler_type`. */
  scheduler: LrScheduler;
  /** `warmup_ratio`: the share of steps spent warming up the learning rate. */
  warmupRatio: number;
  /** `template`: the chat template that matches the base model, such as `qwen` or `llama3`. */
  template: string;
  /** `quantization_bit`: 4 or 8 for QLoRA, null to train on the unquantized model. */
  quantizationBits: 4 | 8 | null;
  /** `bf16` or `fp16` set to true; `fp32` sets neither. */
  precision: TrainingPrecision;
  /** `logging_steps`: a metric is written every this many steps. */
  loggingSteps: number;
  /** `save_steps`: a checkpoint is saved every this many steps. */
  saveSteps: number;
  /** `val_size`: the share of records held out for evaluation; 0 turns evaluation off. */
  validationSplit: number;
  /** `use_swanlab`: report the run to SwanLab. */
  swanlab: boolean;
  /** `swanlab_project`. */
  swanlabProject: string;
}

/** The allowed range of a numeric parameter; `integer` parameters take whole numbers only. */
export interface ParameterRange {
  min: number;
  max: number;
  integer: boolean;
  /** True when `min` itself is not allowed, such as a learning rate above 0. */
  minExclusive?: boolean;
}

export type NumericTrainingParameter = {
  [K in keyof TrainingParameters]: TrainingParameters[K] extends number ? K : never;
}[keyof TrainingParameters];

/** Allowed ranges; the server rejects a value outside them with a message that names the range. */
export const TRAINING_PARAMETER_RANGES: Record<NumericTrainingParameter, ParameterRange> = {
  learningRate: { min: 0, max: 1, integer: false, minExclusive: true },
  epochs: { min: 0.01, max: 1000, integer: false },
  batchSize: { min: 1, max: 1024, integer: true },
  gradientAccumulation: { min: 1, max: 1024, integer: true },
  loraRank: { min: 1, max: 1024, integer: true },
  loraAlpha: { min: 1, max: 4096, integer: true },
  loraDropout: { min: 0, max: 0.9, integer: false },
  cutoffLength: { min: 16, max: 1_048_576, integer: true },
  warmupRatio: { min: 0, max: 0.5, integer: false },
  loggingSteps: { min: 1, max: 100_000, integer: true },
  saveSteps: { min: 1, max: 10_000_000, integer: true },
  validationSplit: { min: 0, max: 0.5, integer: false },
};

/** Suggested starting values for a LoRA fine-tune of a 1B to 8B model on one GPU. */
export const TRAINING_DEFAULTS: TrainingParameters = {
  learningRate: 1e-4,
  epochs: 3,
  batchSize: 2,
  gradientAccumulation: 8,
  loraRank: 8,
  loraAlpha: 16,
  loraDropout: 0.05,
  loraTargets: ['all'],
  cutoffLength: 2048,
  scheduler: 'cosine',
  warmupRatio: 0.1,
  template: 'default',
  quantizationBits: null,
  precision: 'bf16',
  loggingSteps: 10,
  saveSteps: 500,
  validationSplit: 0,
  swanlab: false,
  swanlabProject: 'llm-workbench',
};

/** `GET /api/training/defaults`: the defaults with one line of advice each. */
export interface TrainingDefaultsResponse {
  defaults: TrainingParameters;
  explanations: Record<keyof TrainingParameters, string>;
  ranges: Record<NumericTrainingParameter, ParameterRange>;
}

/** Progress of a task's run, from the last trainer log record. */
export interface ApiTrainingProgress {
  step: number;
  totalSteps: number | null;
  /** 0 to 100. */
  percent: number;
  epoch: number | null;
  /** LLaMA-Factory's estimate of the time left, in milliseconds. */
  remainingMs: number | null;
  elapsedMs: number | null;
}

/** A training task as the API returns it. */
export interface ApiTrainingTask {
  id: number;
  ownerId: number;
  name: string;
  baseModel: string;
  datasetId: number;
  gpuHostId: number | null;
  parameters: TrainingParameters;
  status: TrainingStatus;
  progress: ApiTrainingProgress;
  /** The run directory on the host, once started. */
  runDir: string | null;
  /** The process group of the run on the host, once launched. */
  processGroup: number | null;
  exitCode: number | null;
  /** The last lines of train.log when the run failed, or the reason it could not start. */
  errorTail: string | null;
  /** The directory of the saved LoRA adapter on the host, once the run wrote it. */
  adapterPath: string | null;
  swanlabUrl: string | null;
  /** 1 for the next task to start on its host; null unless `queued`. */
  queuePosition: number | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** `POST /api/training/tasks`. `PATCH /api/training/tasks/:id` takes the same fields, all optional. */
export interface CreateTrainingTaskRequest {
  name: string;
  baseModel: string;
  datasetId: number;
  gpuHostId: number;
  /** Missing fields take TRAINING_DEFAULTS. */
  parameters?: Partial<TrainingParameters>;
}

/** One trainer log record as stored; a step with only an evaluation has only `evalLoss`. */
export interface ApiTrainingMetric {
  step: number;
  totalSteps: number | null;
  loss: number | null;
  evalLoss: number | null;
  lr: number | null;
  epoch: number | null;
  /** Tokens per second, when LLaMA-Factory counts tokens. */
  throughput: number | null;
  /** When the server stored the record. */
  time: string;
}

/** `GET /api/training/tasks/:id/logs`: the end of train.log, read from the host. */
export interface TrainingLogResponse {
  text: string;
  /** The byte offset in train.log where `text` starts. */
  offset: number;
  /** The size of train.log in bytes when read. */
  size: number;
}

/** `DELETE /api/training/tasks/:id?removeRunDir=true` also deletes the run directory on the host. */
export interface DeleteTrainingTaskQuery {
  removeRunDir?: boolean;
}

/**
 * Events of `GET /api/training/tasks/:id/events` (SSE; the `event:` line is the type). The stream
 * starts with a `status` and a `progress` event for the current state, sends a `:` comment line
 * every 15 seconds, and ends after the `status` event of a finished task.
 */
export interface TrainingEventMap {
  status: {
    taskId: number;
    status: TrainingStatus;
    exitCode: number | null;
    errorTail: string | null;
  };
  progress: { taskId: number } & ApiTrainingProgress;
  metric: { taskId: number; metric: ApiTrainingMetric };
  /** Whole lines of train.log, in order, each without its line ending. */
  log: { taskId: number; lines: string[] };
}

export type TrainingEventType = keyof TrainingEventMap;

/** One event as a tagged union, for code that handles events of every type. */
export type TrainingEvent = {
  [K in TrainingEventType]: { type: K; data: TrainingEventMap[K] };
}[TrainingEventType];

/** Data the report is built from; `GET .../report?format=json` returns it as `{report}`. */
export interface TrainingReport {
  task: ApiTrainingTask;
  dataset: { id: number; name: string; recordCount: number | null; sizeBytes: number | null };
  durationMs: number | null;
  steps: number | null;
  totalSteps: number | null;
  firstLoss: number | null;
  lastLoss: number | null;
  bestLoss: { value: number; step: number } | null;
  lastEvalLoss: number | null;
  bestEvalLoss: { value: number; step: number } | null;
  /** Mean of the reported throughputs, in tokens per second. */
  meanThroughput: number | null;
  curves: {
    loss: [step: number, value: number][];
    evalLoss: [step: number, value: number][];
    lr: [step: number, value: number][];
  };
}
