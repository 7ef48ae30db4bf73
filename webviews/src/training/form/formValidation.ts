// Checks the form the way the server's zod schemas do, with the same messages, so most mistakes
// show next to their field before anything is sent. The server checks again; its 400 messages
// replace these.
import {
  LR_SCHEDULERS,
  TRAINING_PRECISIONS,
  type CreateTrainingTaskRequest,
  type NumericTrainingParameter,
  type ParameterRange,
  type TrainingParameters,
} from '../../../../shared/src/api/training.js';
import { PARAMETER_FIELDS, type FormValues } from './formFields.js';

const MODULE_NAME = /^[A-Za-z0-9_.]{1,64}$/;
const TEMPLATE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const SWANLAB_PROJECT = /^[A-Za-z0-9_.-]{1,100}$/;

/** Describes a range the way the server's messages do, such as "a whole number from 1 to 1024". */
export function describeRange(range: ParameterRange): string {
  const kind = range.integer ? 'a whole number' : 'a number';
  const lower = range.minExclusive === true ? `above ${range.min}` : `from ${range.min}`;
  return `${kind} ${lower} ${range.minExclusive === true ? 'and at most' : 'to'} ${range.max}`;
}

/** Parses a number as typed, accepting forms such as `1e-4`; returns undefined for anything else. */
export function parseNumber(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === '' || !/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(trimmed)) {
    return undefined;
  }
  const value = Number(trimmed);
  return Number.isFinite(value) ? value : undefined;
}

function inRange(value: number, range: ParameterRange): boolean {
  return (
    (!range.integer || Number.isInteger(value)) &&
    (range.minExclusive === true ? value > range.min : value >= range.min) &&
    value <= range.max
  );
}

/** The outcome of a check: messages by field, and the request when there are none. */
export interface FormCheck {
  errors: Record<string, string>;
  request: CreateTrainingTaskRequest | undefined;
}

/** Checks every field and builds the request from the values. */
export function checkForm(
  values: FormValues,
  ranges: Record<NumericTrainingParameter, ParameterRange>,
): FormCheck {
  const errors: Record<string, string> = {};

  const name = values.name ?? '';
  if (name.trim() === '') {
    errors.name = 'must not be empty';
  } else if (name.length > 200) {
    errors.name = 'must be at most 200 characters';
  }
  const baseModel = (values.baseModel ?? '').trim();
  if (baseModel === '') {
    errors.baseModel = 'must not be empty';
  } else if (baseModel.length > 512) {
    errors.baseModel = 'must be at most 512 characters';
  } else if (/[\t\r\n]/.test(baseModel)) {
    errors.baseModel = 'must not contain tabs or line breaks';
  }

  const datasetId = Number(values.datasetId);
  if (!Number.isInteger(datasetId) || datasetId <= 0) {
    errors.datasetId = 'pick a dataset';
  }
  const gpuHostId = Number(values.gpuHostId);
  if (!Number.isInteger(gpuHostId) || gpuHostId <= 0) {
    errors.gpuHostId = 'pick a GPU host';
  }

  const parameters = checkParameters(values, ranges, errors);
  if (Object.keys(errors).length > 0) {
    return { errors, request: undefined };
  }
  return {
    errors,
    request: {
      name,
      baseModel,
      datasetId,
      gpuHostId,
      parameters: parameters as Partial<TrainingParameters>,
    },
  };
}

function checkParameters(
  values: FormValues,
  ranges: Record<NumericTrainingParameter, ParameterRange>,
  errors: Record<string, string>,
): Partial<Record<keyof TrainingParameters, unknown>> {
  const parameters: Partial<Record<keyof TrainingParameters, unknown>> = {};
  for (const field of PARAMETER_FIELDS) {
    const name = field.parameter as keyof TrainingParameters;
    const text = values[field.key] ?? '';
    const checked = checkParameter(name, text, ranges);
    if ('error' in checked) {
      errors[field.key] = checked.error;
    } else {
      parameters[name] = checked.value;
    }
  }
  return parameters;
}

type Checked = { value: unknown } | { error: string };

/** Checks one parameter's text and converts it to the value the API takes. */
export function checkParameter(
  name: keyof TrainingParameters,
  text: string,
  ranges: Record<NumericTrainingParameter, ParameterRange>,
): Checked {
  if (name in ranges) {
    const range = ranges[name as NumericTrainingParameter];
    const value = parseNumber(text);
    if (value === undefined || !inRange(value, range)) {
      return { error: `must be ${describeRange(range)}` };
    }
    return { value };
  }
  switch (name) {
    case 'loraTargets':
      return checkTargets(text);
    case 'scheduler':
      return (LR_SCHEDULERS as readonly string[]).includes(text)
        ? { value: text }
        : { error: `must be one of ${LR_SCHEDULERS.join(', ')}` };
    case 'precision':
      return (TRAINING_PRECISIONS as readonly string[]).includes(text)
        ? { value: text }
        : { error: `must be one of ${TRAINING_PRECISIONS.join(', ')}` };
    case 'quantizationBits':
      if (text === '') {
        return { value: null };
      }
      return text === '4' || text === '8'
        ? { value: Number(text) }
        : { error: 'must be 4, 8 or null' };
    case 'template':
      return TEMPLATE_NAME.test(text.trim())
        ? { value: text.trim() }
        : { error: 'must be a LLaMA-Factory template name such as qwen or llama3' };
    case 'swanlab':
      return { value: text === 'true' };
    case 'swanlabProject':
      return SWANLAB_PROJECT.test(text.trim())
        ? { value: text.trim() }
        : { error: 'must be 1-100 letters, digits, _, . or -' };
    default:
      return { error: 'is not a known parameter' };
  }
}

function checkTargets(text: string): Checked {
  const targets = text
    .split(/[\s,]+/)
    .map((target) => target.trim())
    .filter((target) => target !== '');
  if (targets.length === 0) {
    return { error: 'must name at least one module, or be ["all"]' };
  }
  if (targets.length > 32) {
    return { error: 'must name at most 32 modules' };
  }
  const bad = targets.find((target) => !MODULE_NAME.test(target));
  if (bad !== undefined) {
    return { error: 'must be a module name of letters, digits, _ and . such as q_proj' };
  }
  if (targets.includes('all') && targets.length > 1) {
    return { error: 'must be ["all"] alone or a list of module names' };
  }
  return { value: targets };
}
