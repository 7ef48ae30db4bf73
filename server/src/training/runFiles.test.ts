import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { TRAINING_DEFAULTS } from '../../../shared/src/api/training.js';
import {
  buildDatasetInfo,
  buildRunScript,
  buildTrainingYaml,
  launchCommand,
  runDirFor,
} from './runFiles.js';

/** Parses YAML with PyYAML, which LLaMA-Factory uses, and returns it as JSON. */
function loadWithPyYaml(text: string): Record<string, unknown> {
  const output = execFileSync(
    '/usr/bin/python3',
    ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(sys.stdin)))'],
    { input: text },
  );
  return JSON.parse(output.toString()) as Record<string, unknown>;
}

test('training YAML reads back in PyYAML', () => {
  const name = "it's $(rm -rf ~); `id`\nline two: {x}";
  const yaml = buildTrainingYaml({
    name,
    baseModel: 'org/model "quoted"',
    parameters: {
      ...TRAINING_DEFAULTS,
      learningRate: 5e-7,
      loraTargets: ['q_proj', 'v_proj'],
      quantizationBits: 4,
      validationSplit: 0.1,
      swanlab: true,
    },
    resumeFrom: 'output/checkpoint-500',
  });

  const config = loadWithPyYaml(yaml);

  assert.equal(config.run_name, name);
  assert.equal(config.swanlab_run_name, name);
  assert.equal(config.model_name_or_path, 'org/model "quoted"');
  assert.equal(config.learning_rate, 5e-7, 'a float, not the string "5e-7"');
  assert.equal(config.lora_target, 'q_proj,v_proj');
  assert.equal(config.quantization_bit, 4);
  assert.equal(config.val_size, 0.1);
  assert.equal(config.eval_strategy, 'steps');
  assert.equal(config.bf16, true);
  assert.equal(config.resume_from_checkpoint, 'output/checkpoint-500');
  assert.equal(config.overwrite_output_dir, false);
  assert.equal(config.dataset, 'workbench_dataset');
});

test('fresh YAML overwrites the output and skips evaluation', () => {
  const config = loadWithPyYaml(
    buildTrainingYaml({
      name: 'x',
      baseModel: 'm',
      parameters: TRAINING_DEFAULTS,
      resumeFrom: null,
    }),
  );

  assert.equal(config.overwrite_output_dir, true);
  assert.equal(config.val_size, undefined);
  assert.equal(config.resume_from_checkpoint, undefined);
  assert.equal(config.use_swanlab, undefined);
});

test('dataset_info.json names the uploaded file', () => {
  const info = JSON.parse(
    buildDatasetInfo({
      id: 7,
      name: 'chats',
      path: '/data/x',
      fileName: 'lw_dataset_7.jsonl',
      entry: {
        file_name: 'ignored.json',
        formatting: 'sharegpt',
        columns: { messages: 'conversations' },
      },
      recordCount: 3,
      sizeBytes: 10,
    }),
  ) as Record<string, Record<string, unknown>>;

  assert.deepEqual(info.workbench_dataset, {
    file_name: 'lw_dataset_7.jsonl',
    formatting: 'sharegpt',
    columns: { messages: 'conversations' },
  });
});

test('run script is valid bash', () => {
  execFileSync('bash', ['-n'], { input: buildRunScript(12) });
});

test('launch command quotes the run directory', () => {
  const runDir = runDirFor("/data/it's here", 3);

  assert.equal(runDir, "/data/it's here/llm-workbench/runs/3");
  assert.equal(
    launchCommand(runDir, false),
    "cd '/data/it'\\''s here/llm-workbench/runs/3' || exit 1; " +
      'setsid nohup bash ./run.sh > train.log 2>&1 < /dev/null & echo $!',
  );
  assert.match(launchCommand(runDir, true), / >> train\.log /);
});
