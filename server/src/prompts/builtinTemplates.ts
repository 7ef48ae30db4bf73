// The built-in prompt templates that migration 0009 seeds. The migration inserts them as they are
// here when it runs, so a change to this list reaches only new databases. Change a seeded
// template through a new migration.
import type { PromptFormat, VariableDeclaration } from '../../../shared/src/prompts/types.js';

/** A built-in template: read-only for every user, who can copy it to change it. */
export interface BuiltinTemplate {
  name: string;
  description: string;
  format: PromptFormat;
  category: string;
  content: string;
  variables: VariableDeclaration[];
}

const OPENAI_TEMPLATES: BuiltinTemplate[] = [
  {
    name: 'Helpful assistant',
    description: 'A general assistant that answers briefly and says when it is unsure.',
    format: 'openai',
    category: 'General',
    content: `[
  {
    "role": "system",
    "content": "You are a helpful assistant. Answer briefly and accurately. When you are not sure, say so and explain what would settle the question."
  }
]
`,
    variables: [],
  },
  {
    name: 'Code reviewer',
    description: 'Reviews a diff for bugs first, then for clarity, as a list of findings.',
    format: 'openai',
    category: 'Engineering',
    content: `[
  {
    "role": "system",
    "content": "You are a senior {{language}} reviewer. Review the diff the user sends. Report bugs and security problems first, then unclear code. Give each finding as a list item with the file, the line, the problem and the fix. Do not comment on formatting that a formatter would change."
  }
]
`,
    variables: [{ name: 'language', description: 'The programming language of the code' }],
  },
  {
    name: 'Support agent',
    description: 'Answers customer questions about a product, with one example exchange.',
    format: 'openai',
    category: 'Support',
    content: `[
  {
    "role": "system",
    "content": "You are the support assistant for {{product}}. Answer in at most three short paragraphs. When the question needs an account change, tell the customer which page to open instead of promising to do it."
  },
  { "role": "user", "content": "How do I change my e-mail address?" },
  {
    "role": "assistant",
    "content": "Open Settings, then Account, and edit the e-mail field. We send a confirmation link to the new address; the change applies once you open it."
  }
]
`,
    variables: [{ name: 'product', description: 'The product the customers use' }],
  },
  {
    name: 'Summarizer',
    description: 'Summarizes a text for a given audience in a few bullet points.',
    format: 'openai',
    category: 'Writing',
    content: `[
  {
    "role": "developer",
    "content": "Summarize the text the user sends for {{audience}} in at most five bullet points. Keep numbers, names and dates exact. End with one line that names any open question."
  }
]
`,
    variables: [
      { name: 'audience', description: 'Who reads the summary', default: 'a busy colleague' },
    ],
  },
];

const OLLAMA_TEMPLATES: BuiltinTemplate[] = [
  {
    name: 'Concise assistant',
    description: 'A Llama 3.2 assistant with a moderate temperature and short answers.',
    format: 'ollama',
    category: 'General',
    content: `FROM llama3.2
PARAMETER temperature 0.7
PARAMETER num_ctx 8192
SYSTEM """You are a concise assistant. Answer in as few sentences as the question allows, and say so when you do not know."""
`,
    variables: [],
  },
  {
    name: 'Coding assistant',
    description: 'A Qwen 2.5 Coder assistant with a low temperature for reproducible code.',
    format: 'ollama',
    category: 'Engineering',
    content: `FROM qwen2.5-coder:7b
PARAMETER temperature 0.2
PARAMETER top_p 0.9
PARAMETER num_ctx 16384
SYSTEM """You are a careful {{language}} programmer. Answer with working code first, then a short explanation. Point out edge cases the code does not handle."""
`,
    variables: [{ name: 'language', description: 'The programming language', default: 'Python' }],
  },
  {
    name: 'Translator',
    description: 'Translates the user message into a target language and keeps its formatting.',
    format: 'ollama',
    category: 'Writing',
    content: `FROM llama3.2
PARAMETER temperature 0.3
SYSTEM """Translate every user message into {{target_language}}. Keep Markdown, code and placeholders unchanged, and reply with the translation only."""
MESSAGE user Good morning, the meeting moves to 3 pm.
MESSAGE assistant {{example_translation}}
`,
    variables: [
      { name: 'target_language', description: 'The language to translate into' },
      {
        name: 'example_translation',
        description: 'The example sentence in the target language',
      },
    ],
  },
];

const CUSTOM_TEMPLATES: BuiltinTemplate[] = [
  {
    name: 'Step-by-step tutor',
    description: 'Teaches a subject by asking questions instead of giving the answer away.',
    format: 'custom',
    category: 'Education',
    content: `---
name: Step-by-step tutor
category: Education
description: Teaches a subject by asking questions instead of giving the answer away.
variables:
  - name: subject
    description: What the student learns
  - name: level
    description: The student's level
    default: beginner
---

You are a patient {{subject}} tutor for a {{level}} student. Guide the student one step at a
time: ask a question, wait for the answer, then correct or confirm it. Give the full solution
only when the student asks for it twice.
`,
    variables: [
      { name: 'subject', description: 'What the student learns' },
      { name: 'level', description: "The student's level", default: 'beginner' },
    ],
  },
  {
    name: 'SQL helper',
    description: 'Writes and explains SQL queries for one database dialect.',
    format: 'custom',
    category: 'Engineering',
    content: `---
name: SQL helper
category: Engineering
description: Writes and explains SQL queries for one database dialect.
variables:
  - name: dialect
    description: The database the queries run on
    default: PostgreSQL
---

You write {{dialect}} queries. Answer with the query in a fenced sql block, then explain each
clause in one line. Use parameters instead of literal user input, and warn before any statement
that deletes or changes rows.
`,
    variables: [
      { name: 'dialect', description: 'The database the queries run on', default: 'PostgreSQL' },
    ],
  },
  {
    name: 'Meeting notes',
    description: 'Turns a transcript into decisions, action items and open questions.',
    format: 'custom',
    category: 'Writing',
    content: `---
name: Meeting notes
category: Writing
description: Turns a transcript into decisions, action items and open questions.
variables: []
---

Turn the meeting transcript the user sends into notes with three sections: Decisions, Action
items (owner and due date when the transcript names them) and Open questions. Quote no one;
write each point as one short sentence.
`,
    variables: [],
  },
  {
    name: 'Sentiment classifier',
    description: 'Labels a review as positive, negative or mixed, with two worked examples.',
    format: 'custom',
    category: 'Data',
    content: `---
name: Sentiment classifier
category: Data
description: Labels a review as positive, negative or mixed, with two worked examples.
variables:
  - name: review
    description: The review to label
---

## @system

Label the sentiment of each review as positive, negative or mixed. Reply with the label only.

## @user

The battery lasts two days and the screen is sharp.

## @assistant

positive

## @user

Fast delivery, but the case cracked within a week.

## @assistant

mixed

## @user

{{review}}
`,
    variables: [{ name: 'review', description: 'The review to label' }],
  },
];

/** Every built-in template, in the order the migration inserts them. */
export const BUILTIN_TEMPLATES: readonly BuiltinTemplate[] = [
  ...OPENAI_TEMPLATES,
  ...OLLAMA_TEMPLATES,
  ...CUSTOM_TEMPLATES,
];
