import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type {
  ApiPrompt,
  PromptListResponse,
  SavedPromptResponse,
} from '../../../shared/src/api/prompts.js';
import type { ApiErrorBody } from '../../../shared/src/api/users.js';
import type { PromptDiagnostic } from '../../../shared/src/prompts/index.js';
import { ChatSession } from '../models/index.js';
import { BUILTIN_TEMPLATES } from '../prompts/builtinTemplates.js';
import { MAX_CONTENT_LENGTH } from '../prompts/schemas.js';
import { testDialect, TestServer } from '../testing/testServer.js';

interface Account {
  accessToken: string;
  userId: number;
}

type Body = Record<string, unknown>;

const OPENAI_PROMPT = '[{"role": "system", "content": "You answer questions about {{topic}}."}]\n';

const CUSTOM_WITH_FRONT_MATTER = `---
name: Tutor
variables:
  - name: subject
    default: algebra
  - level
---
Teach {{subject}} to a {{level}} student.
`;

describe(`prompts API (${testDialect})`, () => {
  let server: TestServer;
  let alice: Account;
  let bob: Account;

  before(async () => {
    server = await TestServer.start({ AUTH_MAX_FAILURES: '1000' });
    alice = await server.signUp('alice');
    bob = await server.signUp('bob');
  });

  after(async () => {
    await server.close();
  });

  const call = <T = SavedPromptResponse>(
    account: Account,
    method: string,
    path: string,
    body?: unknown,
  ) =>
    server.request<T & ApiErrorBody>(method, path, {
      token: account.accessToken,
      ...(body === undefined ? {} : { body }),
    });

  async function create(account: Account, body: Body): Promise<ApiPrompt> {
    const response = await call(account, 'POST', '/api/prompts', {
      format: 'openai',
      content: OPENAI_PROMPT,
      ...body,
    });
    assert.equal(response.status, 201, JSON.stringify(response.body));
    return response.body.prompt;
  }

  async function list(account: Account, query = ''): Promise<PromptListResponse> {
    const response = await call<PromptListResponse>(account, 'GET', `/api/prompts${query}`);
    assert.equal(response.status, 200, JSON.stringify(response.body));
    return response.body;
  }

  async function builtIn(name: string): Promise<ApiPrompt> {
    const { prompts } = await list(alice, `?scope=builtIn&q=${encodeURIComponent(name)}`);
    const found = prompts.find((prompt) => prompt.name === name);
    assert.ok(found, `no built-in named ${name}`);
    return found;
  }

  describe('built-in templates', () => {
    test('migration seeds every template', async () => {
      const { prompts, total } = await list(alice, '?scope=builtIn&pageSize=200');

      assert.equal(total, BUILTIN_TEMPLATES.length);
      assert.deepEqual(
        prompts.map((prompt) => prompt.name).sort(),
        BUILTIN_TEMPLATES.map((template) => template.name).sort(),
      );
      for (const prompt of prompts) {
        assert.equal(prompt.isBuiltIn, true);
        assert.equal(prompt.ownerId, null);
        assert.equal(prompt.isDefault, false);
      }
    });

    test('each format has at least three', async () => {
      for (const format of ['openai', 'ollama', 'custom']) {
        const { total } = await list(bob, `?scope=builtIn&format=${format}`);

        assert.ok(total >= 3, `${format}: ${total}`);
      }
    });

    test('stored variables come back as declarations', async () => {
      const tutor = await builtIn('Step-by-step tutor');

      assert.deepEqual(tutor.variables, [
        { name: 'subject', description: 'What the student learns' },
        { name: 'level', description: "The student's level", default: 'beginner' },
      ]);
    });

    test('update is 403 naming the copy route', async () => {
      const template = await builtIn('Code reviewer');
      const response = await call(alice, 'PUT', `/api/prompts/${template.id}`, { name: 'Mine' });

      assert.equal(response.status, 403);
      assert.equal(response.body.error.code, 'built_in_prompt');
      assert.match(
        response.body.error.message,
        /read-only; copy it with POST \/api\/prompts\/\d+\/copy/,
      );
    });

    test('delete and set-default are 403', async () => {
      const template = await builtIn('Code reviewer');
      const deleted = await call(alice, 'DELETE', `/api/prompts/${template.id}`);
      const defaulted = await call(alice, 'PUT', `/api/prompts/${template.id}`, {
        isDefault: true,
      });

      assert.equal(deleted.status, 403);
      assert.equal(defaulted.status, 403);
      assert.equal((await builtIn('Code reviewer')).isDefault, false);
    });

    test('copy is editable and numbered', async () => {
      const template = await builtIn('Summarizer');
      const first = await call<{ prompt: ApiPrompt }>(
        bob,
        'POST',
        `/api/prompts/${template.id}/copy`,
        {},
      );
      const second = await call<{ prompt: ApiPrompt }>(
        bob,
        'POST',
        `/api/prompts/${template.id}/copy`,
        {},
      );
      const third = await call<{ prompt: ApiPrompt }>(
        bob,
        'POST',
        `/api/prompts/${template.id}/copy`,
        {},
      );

      assert.equal(first.status, 201);
      assert.equal(first.body.prompt.name, 'Summarizer');
      assert.equal(second.body.prompt.name, 'Summarizer (copy)');
      assert.equal(third.body.prompt.name, 'Summarizer (copy 2)');
      assert.equal(first.body.prompt.isBuiltIn, false);
      assert.equal(first.body.prompt.ownerId, bob.userId);
      assert.equal(first.body.prompt.content, template.content);
      assert.deepEqual(first.body.prompt.variables, template.variables);
      const renamed = await call(bob, 'PUT', `/api/prompts/${first.body.prompt.id}`, {
        name: 'My summarizer',
      });
      assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    });

    test('copy with a taken name is 409', async () => {
      const template = await builtIn('Translator');
      await create(alice, { name: 'Taken name' });
      const response = await call(alice, 'POST', `/api/prompts/${template.id}/copy`, {
        name: 'taken NAME',
      });

      assert.equal(response.status, 409);
      assert.equal(response.body.error.code, 'duplicate_prompt_name');
      assert.match(response.body.error.message, /"Taken name"/);
    });
  });

  describe('create and update', () => {
    test('create infers used variables and returns warnings', async () => {
      const response = await call(alice, 'POST', '/api/prompts', {
        name: 'Greeter',
        format: 'openai',
        content: '[{"role": "user", "content": "Hi {{name}}, about {{topic}}", "nmae": "x"}]',
        category: 'Tests',
      });

      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.deepEqual(response.body.prompt.variables, [{ name: 'name' }, { name: 'topic' }]);
      assert.deepEqual(
        response.body.diagnostics.map((d) => [d.severity, d.code]),
        [['warning', 'unknown-field']],
      );
    });

    test('given variables are checked', async () => {
      const response = await call(alice, 'POST', '/api/prompts', {
        name: 'Declared',
        format: 'ollama',
        content: 'FROM llama3.2\nSYSTEM You help with {{topic}} in {{language}}.\n',
        variables: ['topic', { name: 'unused', description: 'Never used' }],
      });

      assert.equal(response.status, 201, JSON.stringify(response.body));
      assert.deepEqual(response.body.prompt.variables, [
        { name: 'topic' },
        { name: 'unused', description: 'Never used' },
      ]);
      assert.deepEqual(
        response.body.diagnostics.map((d) => [d.code, d.line, d.column, d.endColumn]),
        [
          ['unused-variable', 1, 1, 1],
          ['undeclared-variable', 2, 35, 47],
        ],
      );
    });

    test('content with errors is 400 with diagnostics', async () => {
      const response = await call<{ error: { details: { diagnostics: PromptDiagnostic[] } } }>(
        alice,
        'POST',
        '/api/prompts',
        {
          name: 'Broken',
          format: 'openai',
          content: '[{"role": "usr", "content": "Hi"}]',
        },
      );

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'invalid_prompt');
      assert.match(
        response.body.error.message,
        /^The openai prompt has 1 error; fix it and save again\. Line 1, column 11: Unknown role "usr"/,
      );
      const [diagnostic] = response.body.error.details.diagnostics;
      assert.deepEqual(
        diagnostic && [diagnostic.code, diagnostic.line, diagnostic.column, diagnostic.endColumn],
        ['unknown-role', 1, 11, 16],
      );
      assert.equal(diagnostic?.fix?.edits[0]?.newText, '"user"');
    });

    test('custom front matter declares the variables', async () => {
      const prompt = await create(alice, {
        name: 'Tutor',
        format: 'custom',
        content: CUSTOM_WITH_FRONT_MATTER,
      });

      assert.deepEqual(prompt.variables, [
        { name: 'subject', default: 'algebra' },
        { name: 'level' },
      ]);
    });

    test('variables beside front matter are 400', async () => {
      const response = await call(alice, 'POST', '/api/prompts', {
        name: 'Tutor 2',
        format: 'custom',
        content: CUSTOM_WITH_FRONT_MATTER,
        variables: ['subject'],
      });

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'validation_failed');
      assert.match(response.body.error.message, /body\.variables.*front matter/);
    });

    test('bad fields name the field', async () => {
      const cases: [Body, RegExp][] = [
        [{ name: '' }, /^Invalid body\.name: must not be empty/],
        [{ name: 'a\nb' }, /^Invalid body\.name: must be one line/],
        [{ name: 'x\u202Ey' }, /^Invalid body\.name: must not contain .* U\+202E/],
        [{ format: 'yaml' }, /^Invalid body\.format: must be one of openai, ollama, custom/],
        [{ content: '   ' }, /^Invalid body\.content: must not be empty/],
        [
          { content: 'x'.repeat(MAX_CONTENT_LENGTH + 1) },
          /^Invalid body\.content: must be at most 262144 characters/,
        ],
        [{ variables: ['9lives'] }, /^Invalid body\.variables\.0/],
        [{ variables: ['a', 'a'] }, /^Invalid body\.variables\.1: declares "a" twice/],
        [{ category: 'c'.repeat(65) }, /^Invalid body\.category: must be at most 64 characters/],
        [{ owner: 3 }, /has unknown field owner/],
      ];
      for (const [body, message] of cases) {
        const response = await call(alice, 'POST', '/api/prompts', {
          name: 'Field check',
          format: 'openai',
          content: OPENAI_PROMPT,
          ...body,
        });

        assert.equal(response.status, 400, JSON.stringify(body));
        assert.match(response.body.error.message, message, JSON.stringify(body));
      }
    });

    test('names are unique per user ignoring case', async () => {
      await create(alice, { name: 'Release notes' });
      const duplicate = await call(alice, 'POST', '/api/prompts', {
        name: 'RELEASE NOTES',
        format: 'openai',
        content: OPENAI_PROMPT,
      });
      const otherUser = await call(bob, 'POST', '/api/prompts', {
        name: 'Release notes',
        format: 'openai',
        content: OPENAI_PROMPT,
      });

      assert.equal(duplicate.status, 409);
      assert.equal(duplicate.body.error.code, 'duplicate_prompt_name');
      assert.equal(otherUser.status, 201);
    });

    test('update re-checks new content', async () => {
      const prompt = await create(alice, { name: 'Updatable' });
      const broken = await call(alice, 'PUT', `/api/prompts/${prompt.id}`, {
        content: 'SYSTEM hi',
      });
      const converted = await call(alice, 'PUT', `/api/prompts/${prompt.id}`, {
        format: 'ollama',
        content: 'FROM llama3.2\nSYSTEM Talk about {{subject}}.\n',
        description: 'Now a Modelfile',
      });

      assert.equal(broken.status, 400);
      assert.equal(broken.body.error.code, 'invalid_prompt');
      assert.equal(converted.status, 200, JSON.stringify(converted.body));
      assert.equal(converted.body.prompt.format, 'ollama');
      assert.equal(converted.body.prompt.description, 'Now a Modelfile');
      assert.deepEqual(converted.body.prompt.variables, [{ name: 'subject' }]);
    });

    test('update without content keeps variables', async () => {
      const prompt = await create(alice, {
        name: 'Keeps variables',
        variables: [{ name: 'topic', default: 'tea' }],
      });
      const response = await call(alice, 'PUT', `/api/prompts/${prompt.id}`, {
        category: 'Drinks',
      });

      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.prompt.category, 'Drinks');
      assert.deepEqual(response.body.prompt.variables, [{ name: 'topic', default: 'tea' }]);
    });
  });

  describe('owner scoping', () => {
    test("another user's prompt is 404", async () => {
      const prompt = await create(alice, { name: 'Private' });
      for (const [method, path, body] of [
        ['GET', `/api/prompts/${prompt.id}`],
        ['PUT', `/api/prompts/${prompt.id}`, { name: 'Stolen' }],
        ['DELETE', `/api/prompts/${prompt.id}`],
        ['POST', `/api/prompts/${prompt.id}/copy`, {}],
        ['POST', `/api/prompts/${prompt.id}/render`, { values: { topic: 'x' } }],
      ] as const) {
        const response = await call(bob, method, path, body);

        assert.equal(response.status, 404, `${method} ${path}`);
        assert.equal(response.body.error.message, `Prompt ${prompt.id} was not found.`);
      }
      assert.ok((await list(bob, '?q=private')).prompts.every((p) => p.id !== prompt.id));
    });

    test('signed out is 401', async () => {
      const response = await server.request('GET', '/api/prompts');

      assert.equal(response.status, 401);
    });
  });

  describe('defaults', () => {
    test('one default per format and user', async () => {
      const first = await create(bob, { name: 'Default one', isDefault: true });
      const second = await create(bob, { name: 'Default two' });
      const modelfile = await create(bob, {
        name: 'Default modelfile',
        format: 'ollama',
        content: 'FROM llama3.2\n',
        isDefault: true,
      });
      const alicesDefault = await create(alice, { name: 'Alice default', isDefault: true });

      const switched = await call(bob, 'PUT', `/api/prompts/${second.id}`, { isDefault: true });

      assert.equal(switched.status, 200);
      assert.equal(switched.body.prompt.isDefault, true);
      const defaults = (await list(bob, '?scope=own&pageSize=200')).prompts
        .filter((prompt) => prompt.isDefault)
        .map((prompt) => prompt.id)
        .sort((a, b) => a - b);
      assert.deepEqual(
        defaults,
        [second.id, modelfile.id].sort((a, b) => a - b),
      );
      assert.notEqual(first.id, second.id);
      const alices = await call(alice, 'GET', `/api/prompts/${alicesDefault.id}`);
      assert.equal(alices.body.prompt.isDefault, true);
    });

    test('format change moves the default', async () => {
      const openai = await create(alice, { name: 'Moving default', isDefault: true });
      const ollamaDefault = await create(alice, {
        name: 'Old ollama default',
        format: 'ollama',
        content: 'FROM llama3.2\n',
        isDefault: true,
      });

      const moved = await call(alice, 'PUT', `/api/prompts/${openai.id}`, {
        format: 'ollama',
        content: 'FROM qwen2.5\n',
      });

      assert.equal(moved.status, 200, JSON.stringify(moved.body));
      assert.equal(moved.body.prompt.isDefault, true);
      const old = await call(alice, 'GET', `/api/prompts/${ollamaDefault.id}`);
      assert.equal(old.body.prompt.isDefault, false);
    });

    test('copy as default replaces the default', async () => {
      const current = await create(alice, {
        name: 'Custom default',
        format: 'custom',
        content: 'Be brief.\n',
        isDefault: true,
      });
      const template = await builtIn('Meeting notes');

      const copy = await call<{ prompt: ApiPrompt }>(
        alice,
        'POST',
        `/api/prompts/${template.id}/copy`,
        { isDefault: true },
      );

      assert.equal(copy.status, 201);
      assert.equal(copy.body.prompt.isDefault, true);
      const old = await call(alice, 'GET', `/api/prompts/${current.id}`);
      assert.equal(old.body.prompt.isDefault, false);
    });

    test('isDefault false clears it', async () => {
      const prompt = await create(bob, { name: 'Cleared default', isDefault: true });
      const cleared = await call(bob, 'PUT', `/api/prompts/${prompt.id}`, { isDefault: false });

      assert.equal(cleared.body.prompt.isDefault, false);
    });
  });

  describe('search', () => {
    let searcher: Account;

    before(async () => {
      searcher = await server.signUp('searcher');
      await create(searcher, {
        name: 'Haiku writer',
        category: 'Poetry',
        description: 'Writes short verse',
      });
      await create(searcher, {
        name: 'Limerick writer',
        category: 'poetry',
        content: '[{"role": "system", "content": "Rhyme about a lighthouse keeper."}]',
      });
      await create(searcher, { name: 'No category' });
    });

    test('q matches name, description and content', async () => {
      const byName = await list(searcher, '?scope=own&q=HAIKU');
      const byDescription = await list(searcher, '?scope=own&q=short%20verse');
      const byContent = await list(searcher, '?scope=own&q=lighthouse');

      assert.deepEqual(
        byName.prompts.map((p) => p.name),
        ['Haiku writer'],
      );
      assert.deepEqual(
        byDescription.prompts.map((p) => p.name),
        ['Haiku writer'],
      );
      assert.deepEqual(
        byContent.prompts.map((p) => p.name),
        ['Limerick writer'],
      );
    });

    test('q reaches built-in content', async () => {
      const { prompts } = await list(searcher, '?q=formatter');

      assert.deepEqual(
        prompts.map((p) => p.name),
        ['Code reviewer'],
      );
    });

    test('q treats % and _ as text', async () => {
      const { total } = await list(searcher, '?q=%25_');

      assert.equal(total, 0);
    });

    test('category filter ignores case', async () => {
      const { prompts } = await list(searcher, '?category=POETRY');

      assert.deepEqual(
        prompts.map((p) => p.name),
        ['Haiku writer', 'Limerick writer'],
      );
    });

    test('uncategorized come last', async () => {
      const { prompts } = await list(searcher, '?scope=own');

      assert.deepEqual(
        prompts.map((p) => p.name),
        ['Haiku writer', 'Limerick writer', 'No category'],
      );
    });

    test('pages keep the total', async () => {
      const first = await list(searcher, '?pageSize=5&page=1');
      const second = await list(searcher, '?pageSize=5&page=2');

      assert.equal(first.total, BUILTIN_TEMPLATES.length + 3);
      assert.equal(second.total, first.total);
      assert.equal(first.prompts.length, 5);
      assert.equal(second.page, 2);
      const ids = new Set([...first.prompts, ...second.prompts].map((p) => p.id));
      assert.equal(ids.size, 10);
    });

    test('bad query names the parameter', async () => {
      const format = await call(searcher, 'GET', '/api/prompts?format=yaml');
      const scope = await call(searcher, 'GET', '/api/prompts?scope=mine');

      assert.equal(format.status, 400);
      assert.match(format.body.error.message, /^Invalid query\.format: must be one of openai/);
      assert.match(scope.body.error.message, /^Invalid query\.scope: must be one of all, own/);
    });
  });

  describe('validate, convert and render', () => {
    test('validate returns ranged diagnostics', async () => {
      const response = await call<{ valid: boolean; diagnostics: PromptDiagnostic[] }>(
        alice,
        'POST',
        '/api/prompts/validate',
        { format: 'ollama', content: 'PARAMETER temprature 0.5\n' },
      );

      assert.equal(response.status, 200);
      assert.equal(response.body.valid, false);
      assert.deepEqual(
        response.body.diagnostics.map((d) => [d.code, d.line, d.column, d.endLine, d.endColumn]),
        [
          ['missing-from', 1, 1, 1, 10],
          ['unknown-parameter', 1, 11, 1, 21],
        ],
      );
    });

    test('validate checks given variables', async () => {
      const response = await call<{ valid: boolean; diagnostics: PromptDiagnostic[] }>(
        alice,
        'POST',
        '/api/prompts/validate',
        { format: 'custom', content: 'Hello {{who}}', variables: [] },
      );

      assert.equal(response.body.valid, true);
      assert.deepEqual(response.body.diagnostics[0]?.fix?.declareVariables, ['who']);
    });

    test('validate rejects an unknown format', async () => {
      const response = await call(alice, 'POST', '/api/prompts/validate', {
        format: 'markdown',
        content: 'x',
      });

      assert.equal(response.status, 400);
      assert.match(response.body.error.message, /^Invalid body\.format: must be one of openai/);
    });

    test('convert returns content and warnings', async () => {
      const response = await call<{ content: string; warnings: { code: string }[] }>(
        alice,
        'POST',
        '/api/prompts/convert',
        { from: 'openai', to: 'ollama', content: OPENAI_PROMPT },
      );

      assert.equal(response.status, 200);
      assert.match(response.body.content, /^FROM <model>\n/);
      assert.match(response.body.content, /SYSTEM You answer questions about \{\{topic\}\}\./);
      assert.deepEqual(
        response.body.warnings.map((warning) => warning.code),
        ['placeholder-model'],
      );
    });

    test('convert fills the model', async () => {
      const response = await call<{ content: string; warnings: unknown[] }>(
        alice,
        'POST',
        '/api/prompts/convert',
        { from: 'openai', to: 'ollama', content: OPENAI_PROMPT, model: 'llama3.2' },
      );

      assert.match(response.body.content, /^FROM llama3\.2\n/);
      assert.deepEqual(response.body.warnings, []);
    });

    test('convert of invalid source is 400', async () => {
      const response = await call<{ error: { details: { diagnostics: PromptDiagnostic[] } } }>(
        alice,
        'POST',
        '/api/prompts/convert',
        { from: 'ollama', to: 'openai', content: 'SYSTEM hi\n' },
      );

      assert.equal(response.status, 400);
      assert.equal(response.body.error.code, 'invalid_prompt');
      assert.equal(response.body.error.details.diagnostics[0]?.code, 'missing-from');
    });

    test('convert rejects a multi-line model', async () => {
      const response = await call(alice, 'POST', '/api/prompts/convert', {
        from: 'openai',
        to: 'ollama',
        content: OPENAI_PROMPT,
        model: 'a\nb',
      });

      assert.equal(response.status, 400);
      assert.match(response.body.error.message, /^Invalid body\.model: must be one line/);
    });

    test('render fills values and defaults', async () => {
      const prompt = await create(bob, {
        name: 'Renderable',
        format: 'custom',
        content: CUSTOM_WITH_FRONT_MATTER,
      });
      const response = await call<{ content: string }>(
        bob,
        'POST',
        `/api/prompts/${prompt.id}/render`,
        { values: { level: 'beginner' } },
      );

      assert.equal(response.status, 200, JSON.stringify(response.body));
      assert.equal(response.body.content, 'Teach algebra to a beginner student.\n');
    });

    test('render of a built-in uses its defaults', async () => {
      const template = await builtIn('SQL helper');
      const response = await call<{ content: string }>(
        bob,
        'POST',
        `/api/prompts/${template.id}/render`,
        { values: {} },
      );

      assert.equal(response.status, 200);
      assert.match(response.body.content, /^You write PostgreSQL queries\./);
    });

    test('render uses stored defaults of an openai prompt', async () => {
      const prompt = await create(bob, {
        name: 'Stored defaults',
        variables: [{ name: 'topic', default: 'chess' }],
      });
      const response = await call<{ content: string }>(
        bob,
        'POST',
        `/api/prompts/${prompt.id}/render`,
        {},
      );

      assert.equal(
        response.body.content,
        '[{"role": "system", "content": "You answer questions about chess."}]\n',
      );
    });

    test('render without values is 422 naming them', async () => {
      const template = await builtIn('Translator');
      const response = await call<{ error: { details: { missing: string[] } } }>(
        bob,
        'POST',
        `/api/prompts/${template.id}/render`,
        { values: { target_language: 'German' } },
      );

      assert.equal(response.status, 422);
      assert.equal(response.body.error.code, 'missing_variables');
      assert.match(response.body.error.message, /example_translation/);
      assert.deepEqual(response.body.error.details.missing, ['example_translation']);
    });

    test('render of an unquotable value is 422', async () => {
      const template = await builtIn('Translator');
      const response = await call(bob, 'POST', `/api/prompts/${template.id}/render`, {
        values: { target_language: 'a """ b\nc', example_translation: 'Guten Morgen' },
      });

      assert.equal(response.status, 422);
      assert.equal(response.body.error.code, 'unrepresentable_value');
    });

    test('render rejects values that are not text', async () => {
      const template = await builtIn('SQL helper');
      const response = await call(bob, 'POST', `/api/prompts/${template.id}/render`, {
        values: { dialect: 3 },
      });

      assert.equal(response.status, 400);
      assert.match(response.body.error.message, /^Invalid body\.values\.dialect: must be a string/);
    });
  });

  describe('delete', () => {
    test('delete removes it and frees chat sessions', async () => {
      const prompt = await create(alice, { name: 'Short-lived' });
      const session = await ChatSession.create({
        ownerId: alice.userId,
        modelConfigId: null,
        title: 'Uses the prompt',
        systemPromptId: prompt.id,
        systemPrompt: 'You answer questions about chess.',
        lastMessageAt: new Date(),
      });

      const deleted = await call(alice, 'DELETE', `/api/prompts/${prompt.id}`);

      assert.equal(deleted.status, 204);
      const again = await call(alice, 'GET', `/api/prompts/${prompt.id}`);
      assert.equal(again.status, 404);
      await session.reload();
      assert.equal(session.systemPromptId, null);
      assert.equal(session.systemPrompt, 'You answer questions about chess.');
    });
  });
});
