import { z } from 'zod';
import { DATASET_FILE_TYPES } from '../../../shared/src/api/datasets.js';
import { findInvisibleControl, hasVisibleText } from '../validation/invisibleControls.js';
import { isSingleLine } from '../validation/requestText.js';
import { MAX_DATASET_NAME_LENGTH } from './fileNames.js';

/** Maximum description length, in characters. */
export const MAX_DESCRIPTION_LENGTH = 10_000;

export const datasetNameSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_DATASET_NAME_LENGTH, `must be at most ${MAX_DATASET_NAME_LENGTH} characters`)
  .refine(isSingleLine, 'must not contain tabs or line breaks')
  .superRefine((name, context) => {
    const control = findInvisibleControl(name);
    if (control !== undefined) {
      context.addIssue({
        code: 'custom',
        message:
          `must not contain the invisible control character ${control}; ` +
          'remove it from the name',
      });
    } else if (!hasVisibleText(name)) {
      context.addIssue({
        code: 'custom',
        message: 'must contain visible text, not only whitespace or zero-width characters',
      });
    }
  });

export const descriptionSchema = z
  .string()
  .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`);

export const fileTypeSchema = z.enum(DATASET_FILE_TYPES, {
  error: `must be one of ${DATASET_FILE_TYPES.join(', ')}`,
});

/** The text parts of a dataset upload form, and the body of a complete request. */
export const datasetFieldsSchema = z
  .object({
    name: datasetNameSchema.optional(),
    description: descriptionSchema.optional(),
  })
  .strict();

/** The text parts a dataset upload form may have besides the file. */
export const formFieldsSchema = datasetFieldsSchema.extend({ fileType: fileTypeSchema.optional() });
