import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parsePrompt, validatePrompt } from '../../../shared/src/prompts/index.js';
import { BUILTIN_TEMPLATES } from './builtinTemplates.js';
import { promptNameKey } from './names.js';
import { MAX_CATEGORY_LENGTH, MAX_NAME_LENGTH } from './schemas.js';

describe('built-in templates', () => {
  for (const template of BUILTIN_TEMPLATES) {
    test(`${template.name} has no diagnostics`, () => {
      const result = validatePrompt(template.format, template.content, {
        variables: template.variables,
      });

      assert.deepEqual(result.diagnostics, []);
    });
  }

  test('custom front matter matches the stored list', () => {
    for (const template of BUILTIN_TEMPLATES.filter((t) => t.format === 'custom')) {
      const metadata = parsePrompt('custom', template.content).metadata;

      assert.deepEqual(metadata?.variables ?? [], template.variables, template.name);
      assert.equal(metadata?.name, template.name);
      assert.equal(metadata?.category, template.category);
      assert.equal(metadata?.description, template.description);
    }
  });

  test('names are unique and fit the columns', () => {
    const keys = BUILTIN_TEMPLATES.map((template) => promptNameKey(template.name));

    assert.equal(new Set(keys).size, keys.length);
    for (const template of BUILTIN_TEMPLATES) {
      assert.ok(template.name.length <= MAX_NAME_LENGTH, template.name);
      assert.ok(template.category.length <= MAX_CATEGORY_LENGTH, template.category);
    }
  });
});
