import { z } from 'zod';
import {
  LR_SCHEDULERS,
  TRAINING_DEFAULTS,
  TRAINING_PARAMETER_RANGES,
  TRAINING_PRECISIONS,
  type NumericTrainingParameter,
  type ParameterRange,
  type TrainingParameters,
} from '../../../shared/src/api/training.js';

/** One line of advice per parameter, returned by `GET /api/training/defaults`. */
export const PARAMETER_EXPLANATIONS: Record<keyof TrainingParameters, string> = {
  learningRate:
    '1e-4 suits LoRA on most 1B-8B models; lower it (5e-5) if the loss jumps, raise it if it barely moves.',
  epochs:
    '3 passes over the data; use 1-2 for large datasets and up to 5-10 for a few hundred records.',
  batchSize: 'Records per GPU per step; lower it first when the GPU runs out of memory.',
  gradientAccumulation:
    'Steps whose gradients are summed before an update; batch size times this is the effective batch (16).',
  loraRank: 'Size of the LoRA matrices; 8 is enough for style and format, 16-64 for new knowledge.',
  loraAlpha: 'Scales the LoRA update; twice the rank is the usual choice.',
  loraDropout: 'Dropout on the LoRA input; 0.05 helps against overfitting small datasets.',
  loraTargets: '"all" adapts every linear layer; naming q_proj and v_proj trains fewer weights.',
  cutoffLength:
    'Tokens per record after which text is cut; longer costs memory quadratically in attention.',
  scheduler:
    'Cosine decays the learning rate smoothly to zero, which works well for short fine-tunes.',
  warmupRatio:
    'The first 10% of steps raise the learning rate from zero, which keeps early updates stable.',
  template: "The base model's chat template in LLaMA-Factory, such as qwen, llama3 or mistral.",
  quantizationBits:
    'Set 4 for QLoRA to fit larger models in less memory, at some speed and quality cost.',
  precision: 'bf16 on Ampere or newer GPUs; fp16 on older ones; fp32 only for debugging.',
  loggingSteps: 'A loss and learning-rate point is written every 10 steps.',
  saveSteps: 'A checkpoint is saved every 500 steps; a stopped task resumes from the last one.',
  validationSplit: 'Share of records held out to report an evaluation loss; 0 skips evaluation.',
  swanlab: 'Report the run to SwanLab; the host needs the swanlab package and a login.',
  swanlabProject: 'The SwanLab project the run is filed under.',
};

/** Describes a range for messages, such as "a whole number from 1 to 1024". */
export function describeRange(range: ParameterRange): string {
  const kind = range.integer ? 'a whole number' : 'a number';
  const lower = range.minExclusive === true ? `above ${range.min}` : `from ${range.min}`;
  return `${kind} ${lower} ${range.minExclusive === true ? 'and at most' : 'to'} ${range.max}`;
}

function rangedNumber(name: NumericTrainingParameter) {
  const range = TRAINING_PARAMETER_RANGES[name];
  const message = `must be ${describeRange(range)}`;
  return z
    .number({ error: message })
    .refine(
      (value) =>
        Number.isFinite(value) &&
        (range.integer ? Number.isInteger(value) : true) &&
        (range.minExclusive === true ? value > range.min : value >= range.min) &&
        value <= range.max,
      message,
    );
}

const MODULE_NAME = /^[A-Za-z0-9_.]{1,64}$/;

/** Every parameter, each optional; missing ones take the defaults. */
export const parametersSchema = z
  .object({
    learningRate: rangedNumber('learningRate'),
    epochs: rangedNumber('epochs'),
    batchSize: rangedNumber('batchSize'),
    gradientAccumulation: rangedNumber('gradientAccumulation'),
    loraRank: rangedNumber('loraRank'),
    loraAlpha: rangedNumber('loraAlpha'),
    loraDropout: rangedNumber('loraDropout'),
    loraTargets: z
      .array(
        z
          .string()
          .regex(MODULE_NAME, 'must be a module name of letters, digits, _ and . such as q_proj'),
      )
      .min(1, 'must name at least one module, or be ["all"]')
      .max(32, 'must name at most 32 modules')
      .refine(
        (targets) => !targets.includes('all') || targets.length === 1,
        'must be ["all"] alone or a list of module names',
      ),
    cutoffLength: rangedNumber('cutoffLength'),
    scheduler: z.enum(LR_SCHEDULERS, { error: `must be one of ${LR_SCHEDULERS.join(', ')}` }),
    warmupRatio: rangedNumber('warmupRatio'),
    template: z
      .string()
      .regex(
        /^[A-Za-z0-9_.-]{1,64}$/,
        'must be a LLaMA-Factory template name such as qwen or llama3',
      ),
    quantizationBits: z.union([z.literal(4), z.literal(8), z.null()], {
      error: 'must be 4, 8 or null',
    }),
    precision: z.enum(TRAINING_PRECISIONS, {
      error: `must be one of ${TRAINING_PRECISIONS.join(', ')}`,
    }),
    loggingSteps: rangedNumber('loggingSteps'),
    saveSteps: rangedNumber('saveSteps'),
    validationSplit: rangedNumber('validationSplit'),
    swanlab: z.boolean({ error: 'must be true or false' }),
    swanlabProject: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1-100 letters, digits, _, . or -'),
  })
  .partial()
  .strict();

/** Fills missing parameters from the defaults. */
export function withDefaults(
  parameters: z.output<typeof parametersSchema> | undefined,
  base: TrainingParameters = TRAINING_DEFAULTS,
): TrainingParameters {
  const merged = { ...base };
  for (const [key, value] of Object.entries(parameters ?? {})) {
    if (value !== undefined) {
      (merged as Record<string, unknown>)[key] = value;
    }
  }
  return merged;
}
