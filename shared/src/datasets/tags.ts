import type { ResolvedTags, ShareGptTags } from './types.js';

/** LLaMA-Factory's default ShareGPT tags, from its data README. */
export const SHAREGPT_DEFAULT_TAGS: ResolvedTags = {
  role_tag: 'from',
  content_tag: 'value',
  user_tag: 'human',
  assistant_tag: 'gpt',
  observation_tag: 'observation',
  function_tag: 'function_call',
  system_tag: 'system',
};

/**
 * Tags for OpenAI-style messages: the mapping LLaMA-Factory's README gives for its "openai"
 * format, with OpenAI's `tool` role as the observation.
 */
export const OPENAI_TAGS: ResolvedTags = {
  role_tag: 'role',
  content_tag: 'content',
  user_tag: 'user',
  assistant_tag: 'assistant',
  observation_tag: 'tool',
  function_tag: 'function_call',
  system_tag: 'system',
};

export const TAG_NAMES = Object.keys(SHAREGPT_DEFAULT_TAGS) as (keyof ResolvedTags)[];

/** The tags whose values name roles, as opposed to message keys. */
export type RoleTagName = Exclude<keyof ResolvedTags, 'role_tag' | 'content_tag'>;

const ROLE_TAG_NAMES: RoleTagName[] = [
  'user_tag',
  'assistant_tag',
  'observation_tag',
  'function_tag',
  'system_tag',
];

/** Role names that datasets commonly use for each role tag, lowercase. */
const COMMON_ROLE_NAMES: Record<RoleTagName, string[]> = {
  user_tag: ['human', 'user', 'prompter', 'question', 'customer', 'usr'],
  assistant_tag: ['gpt', 'assistant', 'bot', 'model', 'ai', 'chatgpt', 'chatbot', 'answer', 'gpt4'],
  observation_tag: ['observation', 'tool', 'function_response', 'tool_response', 'ipython'],
  function_tag: ['function_call', 'tool_call', 'tool_calls', 'function'],
  system_tag: ['system', 'developer'],
};

/**
 * Returns the tags for conversations in a style: the `tags` option over LLaMA-Factory's ShareGPT
 * defaults when given (as LLaMA-Factory applies them), else the style's defaults.
 */
export function resolveTags(style: 'sharegpt' | 'openai', tagsOption?: ShareGptTags): ResolvedTags {
  if (tagsOption !== undefined) {
    return { ...SHAREGPT_DEFAULT_TAGS, ...tagsOption };
  }
  return style === 'openai' ? OPENAI_TAGS : SHAREGPT_DEFAULT_TAGS;
}

/** Returns the role tag each role value stands for under a mapping. */
export function roleTagsByValue(tags: ResolvedTags): Map<string, RoleTagName> {
  const byValue = new Map<string, RoleTagName>();
  for (const name of ROLE_TAG_NAMES) {
    byValue.set(tags[name], name);
  }
  return byValue;
}

/** Returns the role tag a role name usually means, or undefined for an uncommon name. */
export function guessRoleTag(role: string): RoleTagName | undefined {
  const lower = role.toLowerCase();
  return ROLE_TAG_NAMES.find((name) => COMMON_ROLE_NAMES[name].includes(lower));
}

/** Message keys seen where the role key was missing: the likely role and content keys. */
export interface KeyHint {
  roleKey: string;
  contentKey?: string;
}

/**
 * Returns advice for conversations whose roles or keys do not fit the tag mapping, such as "Roles
 * in the data are user/assistant, which the tag mapping does not name. Set user_tag=user,
 * assistant_tag=assistant.", or undefined when everything fits.
 */
export function suggestTags(
  roles: Map<string, number>,
  tags: ResolvedTags,
  keyHint: KeyHint | undefined,
): string | undefined {
  const known = roleTagsByValue(tags);
  const unknown = [...roles.keys()].filter((role) => !known.has(role));
  if (unknown.length === 0 && keyHint === undefined) {
    return undefined;
  }
  const settings: string[] = [];
  const sentences: string[] = [];
  if (keyHint !== undefined) {
    const keys = [keyHint.roleKey, keyHint.contentKey].filter((key) => key !== undefined);
    sentences.push(
      `Messages have no "${tags.role_tag}" key (role_tag); they use ${keys.join('/')}.`,
    );
    settings.push(`role_tag=${keyHint.roleKey}`);
    if (keyHint.contentKey !== undefined && keyHint.contentKey !== tags.content_tag) {
      settings.push(`content_tag=${keyHint.contentKey}`);
    }
  }
  if (unknown.length > 0) {
    const mapping = ROLE_TAG_NAMES.map((name) => `${name}=${tags[name]}`).join(', ');
    sentences.push(
      `Roles in the data are ${[...roles.keys()].join('/')}, but the tag mapping (${mapping}) ` +
        `does not name ${unknown.map((role) => `"${role}"`).join(', ')}.`,
    );
    settings.push(...roleSettings(roles, tags));
    const unmatched = unknown.filter((role) => guessRoleTag(role) === undefined);
    if (unmatched.length > 0) {
      sentences.push(
        `No common tag fits ${unmatched.map((role) => `"${role}"`).join(', ')}; set the matching ` +
          'user_tag, assistant_tag, observation_tag, function_tag or system_tag.',
      );
    }
  }
  if (settings.length > 0) {
    sentences.push(`Set ${settings.join(', ')}.`);
  }
  return sentences.join(' ');
}

/** Returns `tag=value` settings that map each seen role to the tag its name suggests. */
function roleSettings(roles: Map<string, number>, tags: ResolvedTags): string[] {
  const chosen = new Map<RoleTagName, string>();
  for (const role of roles.keys()) {
    const name = guessRoleTag(role);
    if (name !== undefined && !chosen.has(name)) {
      chosen.set(name, role);
    }
  }
  return ROLE_TAG_NAMES.filter((name) => {
    const role = chosen.get(name);
    return role !== undefined && role !== tags[name];
  }).map((name) => `${name}=${chosen.get(name) ?? ''}`);
}

/**
 * Checks a `tags` option and returns it; throws RangeError naming an unknown tag or a value that
 * is not a non-empty string.
 */
export function checkTagsOption(tags: unknown): ShareGptTags {
  if (tags === null || typeof tags !== 'object' || Array.isArray(tags)) {
    throw new RangeError(
      `Invalid tags option ${JSON.stringify(tags)}: expected an object such as ` +
        '{"role_tag": "role", "content_tag": "content"}.',
    );
  }
  for (const [name, value] of Object.entries(tags)) {
    if (!(TAG_NAMES as string[]).includes(name)) {
      throw new RangeError(
        `Unknown tag "${name}" in the tags option; expected ${TAG_NAMES.join(', ')}.`,
      );
    }
    if (typeof value !== 'string' || value === '') {
      throw new RangeError(
        `Invalid value ${JSON.stringify(value)} for ${name} in the tags option: expected a ` +
          'non-empty string.',
      );
    }
  }
  return tags;
}
