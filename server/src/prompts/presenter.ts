import type { ApiPrompt } from '../../../shared/src/api/prompts.js';
import type { VariableDeclaration } from '../../../shared/src/prompts/types.js';
import type { SystemPrompt } from '../models/index.js';

/** Shapes a prompt for API responses. */
export function presentPrompt(prompt: SystemPrompt): ApiPrompt {
  return {
    id: prompt.id,
    ownerId: prompt.ownerId,
    name: prompt.name,
    description: prompt.description,
    format: prompt.format,
    category: prompt.category,
    content: prompt.content,
    variables: readVariables(prompt.variables),
    isDefault: prompt.defaultFormat !== null,
    isBuiltIn: prompt.isBuiltIn,
    createdAt: prompt.createdAt.toISOString(),
    updatedAt: prompt.updatedAt.toISOString(),
  };
}

/**
 * Returns the stored variable list. MariaDB's JSON type is LONGTEXT, which the mysql2 driver
 * returns as text, so a string is parsed here.
 */
export function readVariables(stored: unknown): VariableDeclaration[] {
  const value: unknown = typeof stored === 'string' ? JSON.parse(stored) : stored;
  return Array.isArray(value) ? (value as VariableDeclaration[]) : [];
}
