import {
  LR_SCHEDULERS,
  TRAINING_PRECISIONS,
  type TrainingParameters,
} from '../../../../shared/src/api/training.js';

/** The kind of control a field shows. */
export type FieldKind = 'text' | 'number' | 'select' | 'checkbox' | 'targets';

/** One field of the form; `key` is also the field name in the server's 400 details. */
export interface FieldSpec {
  key: string;
  label: string;
  kind: FieldKind;
  /** The parameter the field sets, for parameter fields. */
  parameter?: keyof TrainingParameters;
  options?: readonly { value: string; label: string }[];
  placeholder?: string;
}

export interface FieldSection {
  title: string;
  fields: readonly FieldSpec[];
}

function parameter(
  name: keyof TrainingParameters,
  label: string,
  kind: FieldKind,
  options?: readonly { value: string; label: string }[],
): FieldSpec {
  return {
    key: `parameters.${name}`,
    label,
    kind,
    parameter: name,
    ...(options === undefined ? {} : { options }),
  };
}

const SCHEDULER_OPTIONS = LR_SCHEDULERS.map((value) => ({ value, label: value }));
const PRECISION_OPTIONS = TRAINING_PRECISIONS.map((value) => ({ value, label: value }));
const QUANTIZATION_OPTIONS = [
  { value: '', label: 'None (LoRA)' },
  { value: '8', label: '8-bit (QLoRA)' },
  { value: '4', label: '4-bit (QLoRA)' },
];

/** The parameter sections of the form, in the order they are shown. */
export const PARAMETER_SECTIONS: readonly FieldSection[] = [
  {
    title: 'Training',
    fields: [
      parameter('learningRate', 'Learning rate', 'number'),
      parameter('epochs', 'Epochs', 'number'),
      parameter('batchSize', 'Batch size per GPU', 'number'),
      parameter('gradientAccumulation', 'Gradient accumulation steps', 'number'),
      parameter('scheduler', 'Learning-rate schedule', 'select', SCHEDULER_OPTIONS),
      parameter('warmupRatio', 'Warmup ratio', 'number'),
      parameter('cutoffLength', 'Cutoff length (tokens)', 'number'),
      parameter('precision', 'Precision', 'select', PRECISION_OPTIONS),
    ],
  },
  {
    title: 'LoRA',
    fields: [
      parameter('loraRank', 'LoRA rank', 'number'),
      parameter('loraAlpha', 'LoRA alpha', 'number'),
      parameter('loraDropout', 'LoRA dropout', 'number'),
      parameter('loraTargets', 'Target modules', 'targets'),
      parameter('quantizationBits', 'Quantization', 'select', QUANTIZATION_OPTIONS),
      parameter('template', 'Chat template', 'text'),
    ],
  },
  {
    title: 'Logging and evaluation',
    fields: [
      parameter('loggingSteps', 'Logging steps', 'number'),
      parameter('saveSteps', 'Checkpoint steps', 'number'),
      parameter('validationSplit', 'Validation split', 'number'),
      parameter('swanlab', 'Report to SwanLab', 'checkbox'),
      parameter('swanlabProject', 'SwanLab project', 'text'),
    ],
  },
];

export const PARAMETER_FIELDS: readonly FieldSpec[] = PARAMETER_SECTIONS.flatMap(
  (section) => section.fields,
);

/** Turns a parameter value into the text its control shows. */
export function parameterText(name: keyof TrainingParameters, value: unknown): string {
  if (name === 'loraTargets' && Array.isArray(value)) {
    return value.join(', ');
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return String(value);
  }
  return '';
}

/** The form's values as typed, keyed by field: every value is text, a checkbox `true` or `false`. */
export type FormValues = Record<string, string>;

/** Returns the values of a new form: empty task fields and the server's defaults. */
export function defaultValues(defaults: TrainingParameters): FormValues {
  const values: FormValues = { name: '', baseModel: '', datasetId: '', gpuHostId: '' };
  for (const field of PARAMETER_FIELDS) {
    const name = field.parameter as keyof TrainingParameters;
    values[field.key] = parameterText(name, defaults[name]);
  }
  return values;
}
