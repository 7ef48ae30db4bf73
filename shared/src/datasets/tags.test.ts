import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  OPENAI_TAGS,
  SHAREGPT_DEFAULT_TAGS,
  guessRoleTag,
  resolveTags,
  suggestTags,
} from './tags.js';

const roles = (...names: string[]) => new Map(names.map((name) => [name, 1]));

describe('tag advice', () => {
  test('nothing to advise when every role is mapped', () => {
    assert.equal(
      suggestTags(roles('human', 'gpt', 'system'), SHAREGPT_DEFAULT_TAGS, undefined),
      undefined,
    );
  });

  test('user and assistant roles under ShareGPT defaults', () => {
    assert.equal(
      suggestTags(roles('user', 'assistant'), SHAREGPT_DEFAULT_TAGS, undefined),
      'Roles in the data are user/assistant, but the tag mapping (user_tag=human, ' +
        'assistant_tag=gpt, observation_tag=observation, function_tag=function_call, ' +
        'system_tag=system) does not name "user", "assistant". Set user_tag=user, ' +
        'assistant_tag=assistant.',
    );
  });

  test('human and gpt roles under OpenAI tags', () => {
    const advice = suggestTags(roles('system', 'human', 'gpt'), OPENAI_TAGS, undefined);

    assert.match(advice ?? '', /Set user_tag=human, assistant_tag=gpt\.$/);
  });

  test('a role no tag fits is named', () => {
    const advice = suggestTags(roles('human', 'narrator'), SHAREGPT_DEFAULT_TAGS, undefined);

    assert.match(advice ?? '', /No common tag fits "narrator"; set the matching user_tag/);
  });

  test('missing role key suggests the keys the messages use', () => {
    const advice = suggestTags(new Map(), SHAREGPT_DEFAULT_TAGS, {
      roleKey: 'role',
      contentKey: 'content',
    });

    assert.equal(
      advice,
      'Messages have no "from" key (role_tag); they use role/content. Set role_tag=role, content_tag=content.',
    );
  });

  test('role names are matched without regard to case', () => {
    assert.equal(guessRoleTag('Human'), 'user_tag');
    assert.equal(guessRoleTag('ASSISTANT'), 'assistant_tag');
    assert.equal(guessRoleTag('tool'), 'observation_tag');
    assert.equal(guessRoleTag('narrator'), undefined);
  });

  test('tags option falls back to ShareGPT defaults', () => {
    assert.deepEqual(resolveTags('openai', { role_tag: 'speaker' }), {
      ...SHAREGPT_DEFAULT_TAGS,
      role_tag: 'speaker',
    });
    assert.deepEqual(resolveTags('openai'), OPENAI_TAGS);
  });
});
