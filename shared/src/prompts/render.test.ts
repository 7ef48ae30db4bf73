import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { PromptError } from './errors.js';
import { parsePrompt } from './parse.js';
import { renderPrompt } from './render.js';
import { validatePrompt } from './validate.js';

const fixture = (name: string) =>
  readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

function renderError(run: () => unknown): PromptError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof PromptError, `expected a PromptError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected renderPrompt to throw');
}

describe('renderPrompt for custom prompts', () => {
  test('fills values and defaults, and leaves out the front matter', () => {
    const content =
      '---\nvariables:\n  - who\n  - name: tone\n    default: warm\n---\nGreet {{ who }} in a {{tone}} tone.\n';

    assert.equal(renderPrompt('custom', content, { who: 'Ann' }), 'Greet Ann in a warm tone.\n');
  });

  test('a value overrides the default', () => {
    const content = '---\nvariables:\n  - name: tone\n    default: warm\n---\n{{tone}}\n';

    assert.equal(renderPrompt('custom', content, { tone: 'dry' }), 'dry\n');
  });

  test('renders code-review.prompt.md', () => {
    const rendered = renderPrompt('custom', fixture('code-review.prompt.md'), {
      language: 'TypeScript',
      diff: '- const a = 1;\n+ const a = 2;',
    });

    assert.match(rendered, /^You are a senior TypeScript reviewer\. Look at correctness first\./);
    assert.match(rendered, /```diff\n- const a = 1;\n\+ const a = 2;\n```/);
    assert.doesNotMatch(rendered, /\{\{|^---/m);
  });

  test('inserts values literally, even ones that look like variables', () => {
    assert.equal(renderPrompt('custom', 'A {{x}} B', { x: '{{y}} $1 $&' }), 'A {{y}} $1 $& B');
  });
});

describe('renderPrompt for openai prompts', () => {
  test('fills content strings and keeps the JSON valid', () => {
    const content = fixture('support-agent.prompt.json');
    const rendered = renderPrompt('openai', content, {
      product: 'Acme "Cloud"',
      language: 'Deutsch',
      question: 'Wie lösche ich\nmein Konto?',
    });
    const messages = parsePrompt('openai', rendered).messages;

    assert.equal(
      messages[0]?.content,
      'You are the support assistant for Acme "Cloud". Answer in Deutsch, in at most three short paragraphs, and link to the docs when a page covers the question.',
    );
    assert.equal(messages[3]?.content, 'Wie lösche ich\nmein Konto?');
    assert.ok(
      rendered.includes('choose \\"Reset password\\" and follow'),
      'strings without variables keep their text',
    );
  });

  test('fills text parts and image URLs are left alone', () => {
    const rendered = renderPrompt('openai', fixture('image-review.prompt.json'), {
      item: 'a red chair',
      photo_id: 'unused',
    });

    assert.ok(rendered.includes('"Review this photo of a red chair:"'));
    assert.ok(rendered.includes('photos/{{photo_id}}.jpg'));
  });

  test('takes defaults from the declared list', () => {
    const content = '[{"role":"system","content":"Speak {{lang}}."}]';
    const rendered = renderPrompt(
      'openai',
      content,
      {},
      { variables: [{ name: 'lang', default: 'French' }] },
    );

    assert.equal(rendered, '[{"role":"system","content":"Speak French."}]');
  });
});

describe('renderPrompt for Modelfiles', () => {
  test('fills SYSTEM and MESSAGE values and keeps the rest', () => {
    const content =
      'FROM x\nPARAMETER stop "{{end}}"\nSYSTEM You help {{team}}.\nMESSAGE user Hi, I am {{name}}.\n';
    const rendered = renderPrompt('ollama', content, { team: 'Support', name: 'Ann' });

    assert.equal(
      rendered,
      'FROM x\nPARAMETER stop "{{end}}"\nSYSTEM You help Support.\nMESSAGE user Hi, I am Ann.\n',
    );
  });

  test('quotes a value that becomes multi-line', () => {
    const rendered = renderPrompt('ollama', 'FROM x\nSYSTEM Rules: {{rules}}\n', {
      rules: 'one\ntwo',
    });

    assert.equal(rendered, 'FROM x\nSYSTEM """Rules: one\ntwo"""\n');
    assert.equal(validatePrompt('ollama', rendered).valid, true);
  });

  test('renders llama3-assistant.modelfile without touching the template', () => {
    const content = fixture('llama3-assistant.modelfile');
    const rendered = renderPrompt('ollama', content, { company: 'Acme "Cloud"' });
    const { messages, modelfile } = parsePrompt('ollama', rendered);

    assert.equal(
      messages[0]?.content,
      'You are the help desk assistant of Acme "Cloud".\nKeep answers short, and say "I don\'t know" rather than guess.',
    );
    assert.equal(modelfile?.template, parsePrompt('ollama', content).modelfile?.template);
  });

  test('rejects a value that no Modelfile quoting can hold', () => {
    const error = renderError(() =>
      renderPrompt('ollama', 'FROM x\nSYSTEM """{{a}}\nmore"""\n', { a: 'x"""' }),
    );

    assert.equal(error.code, 'unrepresentable_value');
    assert.match(error.message, /line 2/);
  });
});

describe('renderPrompt errors', () => {
  test('names every missing variable once', () => {
    const error = renderError(() =>
      renderPrompt('custom', '{{b}} {{a}} {{b}} {{known}}', { known: 'k' }),
    );

    assert.equal(error.code, 'missing_variables');
    assert.deepEqual(error.details.missing, ['b', 'a']);
    assert.match(error.message, /variables b, a/);
  });

  test('does not take values from the object prototype', () => {
    const error = renderError(() => renderPrompt('custom', '{{constructor}} {{toString}}', {}));

    assert.deepEqual(error.details.missing, ['constructor', 'toString']);
  });

  test('fills a variable named __proto__ from parsed JSON', () => {
    const values = JSON.parse('{"__proto__": "safe"}') as Record<string, string>;

    assert.equal(renderPrompt('custom', '{{__proto__}}', values), 'safe');
    assert.equal(({} as Record<string, unknown>).safe, undefined);
  });

  test('rejects values that are not text', () => {
    const error = renderError(() =>
      renderPrompt('custom', '{{n}}', { n: 3 } as unknown as Record<string, string>),
    );

    assert.equal(error.code, 'invalid_variable_value');
    assert.match(error.message, /"n" must be text, not number/);
  });

  test('refuses a prompt with errors and lists them', () => {
    const error = renderError(() => renderPrompt('openai', '[{"role":"robot","content":"x"}]', {}));

    assert.equal(error.code, 'invalid_prompt');
    assert.equal(error.details.diagnostics?.[0]?.code, 'unknown-role');
    assert.match(error.message, /Line 1, column 10: Unknown role "robot"/);
  });

  test('warnings do not stop rendering', () => {
    assert.equal(renderPrompt('custom', '---\nvariables: []\n---\nHi {{x}}', { x: 'y' }), 'Hi y');
  });
});
