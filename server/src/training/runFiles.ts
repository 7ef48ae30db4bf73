import path from 'node:path';
import { stringify, type Tags } from 'yaml';
import type { TrainingParameters } from '../../../shared/src/api/training.js';
import type { TrainingDatasetFile } from './datasetSource.js';
import { shellQuote } from './ssh/shellQuote.js';

/** Files of a run, relative to its run directory. */
export const RUN_FILES = {
  yaml: 'train.yaml',
  script: 'run.sh',
  setup: 'setup.sh',
  log: 'train.log',
  exitCode: 'exit_code',
  pid: 'pid',
  dataDir: 'data',
  datasetInfo: 'data/dataset_info.json',
  outputDir: 'output',
  trainerLog: 'output/trainer_log.jsonl',
} as const;

/** The dataset's name in dataset_info.json; fixed, so no user text names a file. */
export const DATASET_NAME = 'workbench_dataset';

/** Returns `<workDir>/llm-workbench/runs/<task id>`. */
export function runDirFor(workDir: string, taskId: number): string {
  return path.posix.join(workDir, 'llm-workbench', 'runs', String(taskId));
}

/** Joins a run file to the run directory. */
export function runPath(runDir: string, file: string): string {
  return path.posix.join(runDir, file);
}

/**
 * PyYAML, which LLaMA-Factory reads its YAML with, follows YAML 1.1: a float needs a dot and a
 * signed exponent, so `5e-7` would load as a string. This tag writes `5.0e-7` instead.
 */
const pyYamlFloat: Tags[number] = {
  identify: (value) =>
    typeof value === 'number' && Number.isFinite(value) && !Number.isInteger(value),
  default: true,
  tag: 'tag:yaml.org,2002:float',
  test: /^[-+]?[0-9][0-9_]*\.[0-9_]*(?:[eE][-+][0-9]+)?$/,
  resolve: (text: string) => Number.parseFloat(text),
  stringify: ({ value }) => {
    const [mantissa = '', exponent] = String(value).split('e');
    const withDot = mantissa.includes('.') ? mantissa : `${mantissa}.0`;
    return exponent === undefined ? withDot : `${withDot}e${exponent}`;
  },
};

export interface YamlOptions {
  name: string;
  baseModel: string;
  parameters: TrainingParameters;
  /** A checkpoint directory relative to the run directory, or null for a fresh run. */
  resumeFrom: string | null;
}

/**
 * Builds the `llamafactory-cli train` YAML. Every user-typed value is a YAML scalar written by
 * the yaml library, and paths are relative to the run directory, where run.sh starts.
 */
export function buildTrainingYaml(options: YamlOptions): string {
  const { parameters: p } = options;
  const config: Record<string, unknown> = {
    model_name_or_path: options.baseModel,
    stage: 'sft',
    do_train: true,
    finetuning_type: 'lora',
    lora_rank: p.loraRank,
    lora_alpha: p.loraAlpha,
    lora_dropout: p.loraDropout,
    lora_target: p.loraTargets.join(','),
    ...(p.quantizationBits === null ? {} : { quantization_bit: p.quantizationBits }),
    dataset: DATASET_NAME,
    dataset_dir: RUN_FILES.dataDir,
    template: p.template,
    cutoff_len: p.cutoffLength,
    overwrite_cache: true,
    output_dir: RUN_FILES.outputDir,
    logging_steps: p.loggingSteps,
    save_steps: p.saveSteps,
    plot_loss: true,
    overwrite_output_dir: options.resumeFrom === null,
    report_to: 'none',
    run_name: options.name,
    include_num_input_tokens_seen: true,
    per_device_train_batch_size: p.batchSize,
    gradient_accumulation_steps: p.gradientAccumulation,
    learning_rate: p.learningRate,
    num_train_epochs: p.epochs,
    lr_scheduler_type: p.scheduler,
    warmup_ratio: p.warmupRatio,
    ...(p.precision === 'fp32' ? {} : { [p.precision]: true }),
    ...evaluationKeys(p),
    ...(p.swanlab
      ? { use_swanlab: true, swanlab_project: p.swanlabProject, swanlab_run_name: options.name }
      : {}),
    ...(options.resumeFrom === null ? {} : { resume_from_checkpoint: options.resumeFrom }),
  };
  return stringify(config, { customTags: (tags) => [pyYamlFloat, ...tags], lineWidth: 0 });
}

function evaluationKeys(p: TrainingParameters): Record<string, unknown> {
  if (p.validationSplit === 0) {
    return {};
  }
  return {
    val_size: p.validationSplit,
    per_device_eval_batch_size: p.batchSize,
    eval_strategy: 'steps',
    eval_steps: p.saveSteps,
  };
}

/** Builds dataset_info.json with the one entry the YAML names. */
export function buildDatasetInfo(dataset: TrainingDatasetFile): string {
  const entry = { ...dataset.entry, file_name: dataset.fileName };
  return `${JSON.stringify({ [DATASET_NAME]: entry }, null, 2)}\n`;
}

/**
 * Builds run.sh. The host's setup command goes to setup.sh, which run.sh sources, so a syntax
 * error there fails the run with an exit code instead of stopping run.sh before it records one.
 */
export function buildRunScript(taskId: number): string {
  return `#!/usr/bin/env bash
# Written by LLM Workbench for training task ${taskId}. The server starts it detached in its own
# process group and follows train.log, ${RUN_FILES.trainerLog} and ${RUN_FILES.exitCode}.
cd "$(dirname "$0")" || exit 1
rm -f ${RUN_FILES.exitCode}
# This script leads its process group, so its PID is the group ID that stop signals go to.
echo "$$" > ${RUN_FILES.pid}
# A trap that runs a command, unlike one that ignores the signal, is reset in child processes:
# LLaMA-Factory still gets these signals, and this script lives on to record the exit code.
trap ':' ABRT INT TERM HUP
# With this set, LLaMA-Factory's LogCallback stops after the current step on SIGABRT and the
# adapter is saved, as when its Web UI aborts a run.
export LLAMABOARD_ENABLED=1
export LLAMABOARD_WORKDIR="$PWD/${RUN_FILES.outputDir}"
(
  source ./${RUN_FILES.setup}
  status=$?
  if [ "$status" -ne 0 ]; then
    echo "llm-workbench: the host's setup command failed with status $status" >&2
    exit "$status"
  fi
  exec llamafactory-cli train ${RUN_FILES.yaml}
)
status=$?
echo "$status" > ${RUN_FILES.exitCode}.partial
mv -f ${RUN_FILES.exitCode}.partial ${RUN_FILES.exitCode}
`;
}

/** Builds setup.sh from the host's setup command. */
export function buildSetupScript(setupCommand: string): string {
  return `# The setup command of the GPU host, sourced by run.sh before llamafactory-cli starts.\n${setupCommand}\n`;
}

/**
 * Returns the command that starts run.sh detached: `setsid` makes it lead a new process group and
 * session, `nohup` and the redirections cut it loose from the SSH channel, and `$!` is its PID,
 * which is also the process group ID. The `cd` is its own command, because `cd DIR && setsid ... &`
 * would put both in a background subshell and `$!` would be that subshell.
 */
export function launchCommand(runDir: string, appendLog: boolean): string {
  const redirect = appendLog ? '>>' : '>';
  return (
    `cd ${shellQuote(runDir)} || exit 1; ` +
    `setsid nohup bash ./${RUN_FILES.script} ${redirect} ${RUN_FILES.log} 2>&1 < /dev/null & echo $!`
  );
}
