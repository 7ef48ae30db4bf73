// Request and response schemas of the prompt routes; the same schemas validate requests and
// describe the routes in the OpenAPI document.
import { z } from 'zod';
import { PROMPT_SCOPES } from '../../../shared/src/api/prompts.js';
import { PROMPT_FORMATS, VARIABLE_NAME } from '../../../shared/src/prompts/index.js';
import { queryInteger } from '../validation/query.js';
import { isSingleLine } from '../validation/requestText.js';
import { labelProblem, normalizeLabel } from './names.js';

/** The length of the name column. */
export const MAX_NAME_LENGTH = 191;

/** The length of the category column. */
export const MAX_CATEGORY_LENGTH = 64;

export const MAX_DESCRIPTION_LENGTH = 2000;

/**
 * The maximum prompt content, in UTF-16 code units: 256 Ki. It leaves room for a long few-shot
 * prompt, and the validator checks 1 MB inputs within its own tests' 10-second bound.
 */
export const MAX_CONTENT_LENGTH = 256 * 1024;

export const MAX_VARIABLES = 100;

const MAX_VARIABLE_NAME_LENGTH = 64;

const MAX_VARIABLE_DEFAULT_LENGTH = 10_000;

/** The largest value of a signed 32-bit INTEGER column. */
const MAX_INTEGER = 2_147_483_647;

const FORMAT_LIST = PROMPT_FORMATS.join(', ');

export const promptFormat = z.enum(PROMPT_FORMATS, { error: `must be one of ${FORMAT_LIST}` });

/** A one-line label such as a name or category, stored trimmed and in NFC. */
const label = (what: string, maxLength: number) =>
  z
    .string()
    .transform(normalizeLabel)
    .pipe(
      z
        .string()
        .min(1, 'must not be empty')
        .max(maxLength, `must be at most ${maxLength} characters`)
        .refine(isSingleLine, `must be one line: remove tabs and line breaks from the ${what}`)
        .superRefine((text, context) => {
          const problem = labelProblem(text);
          if (problem !== undefined) {
            context.addIssue({ code: 'custom', message: problem });
          }
        }),
    );

const variableName = z
  .string()
  .max(MAX_VARIABLE_NAME_LENGTH, `must be at most ${MAX_VARIABLE_NAME_LENGTH} characters`)
  .regex(
    VARIABLE_NAME,
    'must start with a letter or "_" and contain only letters, digits, "_", "." and "-"',
  );

const variableDeclaration = z
  .object({
    name: variableName,
    description: z
      .string()
      .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`)
      .optional(),
    default: z
      .string()
      .max(MAX_VARIABLE_DEFAULT_LENGTH, `must be at most ${MAX_VARIABLE_DEFAULT_LENGTH} characters`)
      .optional(),
  })
  .strict();

/** Declared variables: names, or entries with name, description and default. */
export const variablesField = z
  .array(z.union([variableName, variableDeclaration]))
  .max(MAX_VARIABLES, `must have at most ${MAX_VARIABLES} variables`)
  .superRefine((variables, context) => {
    const seen = new Set<string>();
    variables.forEach((variable, index) => {
      const name = typeof variable === 'string' ? variable : variable.name;
      if (seen.has(name)) {
        context.addIssue({
          code: 'custom',
          path: [index],
          message: `declares "${name}" twice; keep one entry per variable`,
        });
      }
      seen.add(name);
    });
  });

export const promptContent = z
  .string()
  .max(
    MAX_CONTENT_LENGTH,
    `must be at most ${MAX_CONTENT_LENGTH} characters; split the prompt or shorten its examples`,
  );

const fields = {
  name: label('name', MAX_NAME_LENGTH),
  content: promptContent.refine((text) => text.trim() !== '', 'must not be empty'),
  format: promptFormat,
  description: z
    .string()
    .trim()
    .max(MAX_DESCRIPTION_LENGTH, `must be at most ${MAX_DESCRIPTION_LENGTH} characters`)
    .nullable(),
  category: label('category', MAX_CATEGORY_LENGTH).nullable(),
  variables: variablesField,
  isDefault: z.boolean(),
};

export const createPromptBody = z
  .object({
    ...fields,
    description: fields.description.optional(),
    category: fields.category.optional(),
    variables: fields.variables.optional(),
    isDefault: fields.isDefault.optional(),
  })
  .strict();

export const updatePromptBody = z.object(fields).partial().strict();

export const copyPromptBody = z
  .object({ name: fields.name.optional(), isDefault: fields.isDefault.optional() })
  .strict();

export const promptParams = z.object({
  id: z
    .string()
    .regex(/^\d{1,10}$/, 'must be a numeric prompt id')
    .transform(Number)
    .pipe(z.number().max(MAX_INTEGER, 'must be a numeric prompt id')),
});

export const listPromptsQuery = z.object({
  q: z.string().max(MAX_NAME_LENGTH).optional(),
  category: z.string().max(MAX_CATEGORY_LENGTH).optional(),
  format: promptFormat.optional(),
  scope: z
    .enum(PROMPT_SCOPES, { error: `must be one of ${PROMPT_SCOPES.join(', ')}` })
    .default('all'),
  page: queryInteger(1, 100_000).default(1),
  pageSize: queryInteger(1, 200).default(50),
});

export const validateBody = z
  .object({ format: promptFormat, content: promptContent, variables: variablesField.optional() })
  .strict();

export const convertBody = z
  .object({
    from: promptFormat,
    to: promptFormat,
    content: promptContent,
    model: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(MAX_NAME_LENGTH, `must be at most ${MAX_NAME_LENGTH} characters`)
      .refine(isSingleLine, 'must be one line, such as llama3.2')
      .optional(),
  })
  .strict();

export const renderBody = z
  .object({
    values: z
      .record(
        variableName,
        z.string().max(MAX_CONTENT_LENGTH, `must be at most ${MAX_CONTENT_LENGTH} characters`),
      )
      .default({}),
  })
  .strict();

const rangeFields = {
  line: z.number().int(),
  column: z.number().int(),
  endLine: z.number().int(),
  endColumn: z.number().int(),
};

const diagnosticSchema = z.object({
  ...rangeFields,
  severity: z.enum(['error', 'warning', 'info']),
  message: z.string(),
  code: z.string().optional(),
  fix: z
    .object({
      title: z.string(),
      edits: z.array(z.object({ range: z.object(rangeFields), newText: z.string() })),
      declareVariables: z.array(z.string()).optional(),
    })
    .optional(),
});

const declarationSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  default: z.string().optional(),
});

export const promptSchema = z.object({
  id: z.number().int(),
  ownerId: z.number().int().nullable(),
  name: z.string(),
  description: z.string().nullable(),
  format: z.enum(PROMPT_FORMATS),
  category: z.string().nullable(),
  content: z.string(),
  variables: z.array(declarationSchema),
  isDefault: z.boolean(),
  isBuiltIn: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const promptResponse = z.object({ prompt: promptSchema });

export const savedPromptResponse = z.object({
  prompt: promptSchema,
  diagnostics: z.array(diagnosticSchema),
});

export const promptListResponse = z.object({
  prompts: z.array(promptSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
});

export const validationResponse = z.object({
  valid: z.boolean(),
  diagnostics: z.array(diagnosticSchema),
});

export const conversionResponse = z.object({
  content: z.string(),
  warnings: z.array(z.object({ code: z.string(), message: z.string() })),
});

export const renderResponse = z.object({ content: z.string() });
