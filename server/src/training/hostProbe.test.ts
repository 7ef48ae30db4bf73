import assert from 'node:assert/strict';
import { test } from 'node:test';
import { interpretProbe } from './hostProbe.js';

test('interpretProbe reads GPUs and the LLaMA-Factory version', () => {
  const output = [
    '@@lw setup 0',
    '@@lw llamafactory',
    '| Welcome to LLaMA Factory, version 0.9.3.dev0 |',
    '@@lw llamafactory-status 0',
    '@@lw nvidia',
    '0, NVIDIA H100 80GB HBM3, 81559, 1024, 550.54.15',
    '1, NVIDIA H100 80GB HBM3, 81559, 0, 550.54.15',
    '@@lw nvidia-status 0',
  ].join('\n');

  const result = interpretProbe(output);

  assert.equal(result.ok, true);
  assert.equal(result.llamaFactoryVersion, '0.9.3.dev0');
  assert.equal(result.driverVersion, '550.54.15');
  assert.deepEqual(result.gpus[0], {
    index: 0,
    name: 'NVIDIA H100 80GB HBM3',
    memoryTotalMiB: 81559,
    memoryUsedMiB: 1024,
  });
  assert.equal(result.gpus.length, 2);
  assert.deepEqual(result.findings, []);
});

test('interpretProbe reports what is missing', () => {
  const output = ['@@lw setup 1', '@@lw llamafactory-missing', '@@lw nvidia-missing'].join('\n');

  const result = interpretProbe(output);

  assert.equal(result.ok, false);
  assert.equal(result.findings.length, 3);
  assert.match(result.findings[0] ?? '', /setup command exited with status 1/);
  assert.match(result.findings[1] ?? '', /llamafactory-cli was not found on PATH/);
  assert.match(result.findings[2] ?? '', /nvidia-smi was not found on PATH/);
});

test('interpretProbe reports a failing nvidia-smi', () => {
  const output = [
    '@@lw setup 0',
    '@@lw llamafactory',
    'version 0.9.2',
    '@@lw nvidia',
    'NVIDIA-SMI has failed because it could not communicate with the NVIDIA driver.',
    '@@lw nvidia-status 9',
  ].join('\n');

  const result = interpretProbe(output);

  assert.equal(result.ok, false);
  assert.match(result.findings[0] ?? '', /^nvidia-smi failed with status 9: NVIDIA-SMI has failed/);
});
