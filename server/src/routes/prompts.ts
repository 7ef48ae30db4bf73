import { convertPrompt, renderPrompt, validatePrompt } from '../../../shared/src/prompts/index.js';
import type { AppContext } from '../context.js';
import { unauthorized } from '../errors.js';
import type { User } from '../models/index.js';
import { checkContent, toDeclarations } from '../prompts/content.js';
import {
  assertWritable,
  copyPrompt,
  createPrompt,
  deletePrompt,
  listPrompts,
  loadReadablePrompt,
  updatePrompt,
} from '../prompts/library.js';
import { presentPrompt, readVariables } from '../prompts/presenter.js';
import { runPromptFunction } from '../prompts/promptErrors.js';
import {
  conversionResponse,
  convertBody,
  copyPromptBody,
  createPromptBody,
  listPromptsQuery,
  promptListResponse,
  promptParams,
  promptResponse,
  renderBody,
  renderResponse,
  savedPromptResponse,
  updatePromptBody,
  validateBody,
  validationResponse,
} from '../prompts/schemas.js';
import { defineRoute, type RouteTarget } from '../routing.js';

/** Registers `/api/prompts` CRUD and the validate, convert, copy and render routes. */
export function registerPromptRoutes(target: RouteTarget): void {
  defineValidate(target);
  defineConvert(target);
  defineList(target);
  defineCreate(target);
  defineGet(target);
  defineUpdate(target);
  defineDelete(target);
  defineCopy(target);
  defineRender(target);
}

function defineList(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/prompts',
      summary:
        'List your prompts and the built-in templates by category, searchable by name, ' +
        'description and content',
      tag: 'prompts',
      access: 'user',
      query: listPromptsQuery,
      responses: { 200: { description: 'A page of prompts', schema: promptListResponse } },
    },
    async (ctx, { query }) => {
      const { prompts, total } = await listPrompts(signedIn(ctx), {
        ...(query.q === undefined ? {} : { search: query.q }),
        ...(query.category === undefined ? {} : { category: query.category }),
        ...(query.format === undefined ? {} : { format: query.format }),
        scope: query.scope,
        page: query.page,
        pageSize: query.pageSize,
      });
      ctx.body = {
        prompts: prompts.map(presentPrompt),
        total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  );
}

function defineCreate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/prompts',
      summary:
        'Save a prompt; content with errors is rejected with its diagnostics, and warnings ' +
        'come back with the prompt',
      tag: 'prompts',
      access: 'user',
      body: createPromptBody,
      responses: { 201: { description: 'Created', schema: savedPromptResponse } },
    },
    async (ctx, { body }) => {
      const checked = checkContent(body.format, body.content, {
        ...(body.variables === undefined ? {} : { given: body.variables }),
      });
      const prompt = await createPrompt(ctx.services, signedIn(ctx), {
        ...body,
        variables: checked.variables,
      });
      ctx.status = 201;
      ctx.body = { prompt: presentPrompt(prompt), diagnostics: checked.diagnostics };
    },
  );
}

function defineGet(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/prompts/:id',
      summary: 'One of your prompts or a built-in template',
      tag: 'prompts',
      access: 'user',
      params: promptParams,
      responses: { 200: { description: 'The prompt', schema: promptResponse } },
    },
    async (ctx, { params }) => {
      const prompt = await loadReadablePrompt(signedIn(ctx), params.id);
      ctx.body = { prompt: presentPrompt(prompt) };
    },
  );
}

function defineUpdate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/prompts/:id',
      summary:
        'Change the fields given of your prompt; built-in templates are read-only (403), copy ' +
        'them instead',
      tag: 'prompts',
      access: 'user',
      params: promptParams,
      body: updatePromptBody,
      responses: { 200: { description: 'Changed', schema: savedPromptResponse } },
    },
    async (ctx, { params, body }) => {
      const prompt = await loadReadablePrompt(signedIn(ctx), params.id);
      assertWritable(prompt);
      // Without a list in the request, changed content declares what it uses, as on create, and
      // unchanged content keeps the stored list.
      const changed = body.content !== undefined || body.format !== undefined;
      const checked = checkContent(body.format ?? prompt.format, body.content ?? prompt.content, {
        ...(body.variables === undefined ? {} : { given: body.variables }),
        ...(changed ? {} : { stored: readVariables(prompt.variables) }),
      });
      const saved = await updatePrompt(ctx.services, prompt, {
        ...body,
        variables: checked.variables,
      });
      ctx.body = { prompt: presentPrompt(saved), diagnostics: checked.diagnostics };
    },
  );
}

function defineDelete(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/prompts/:id',
      summary: 'Delete your prompt; built-in templates cannot be deleted (403)',
      tag: 'prompts',
      access: 'user',
      params: promptParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const prompt = await loadReadablePrompt(signedIn(ctx), params.id);
      assertWritable(prompt);
      await deletePrompt(ctx.services, prompt);
      ctx.status = 204;
    },
  );
}

function defineCopy(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/prompts/:id/copy',
      summary:
        'Copy a built-in template or one of your prompts into an editable prompt, named ' +
        '"<name> (copy)" unless a name is given',
      tag: 'prompts',
      access: 'user',
      params: promptParams,
      body: copyPromptBody,
      responses: { 201: { description: 'The copy', schema: promptResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const source = await loadReadablePrompt(user, params.id);
      const copy = await copyPrompt(ctx.services, user, source, body);
      ctx.status = 201;
      ctx.body = { prompt: presentPrompt(copy) };
    },
  );
}

function defineRender(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/prompts/:id/render',
      summary:
        'Fill the {{variables}} of a prompt; variables with neither a value nor a default are ' +
        'a 422 that names them',
      tag: 'prompts',
      access: 'user',
      params: promptParams,
      body: renderBody,
      responses: { 200: { description: 'The filled prompt', schema: renderResponse } },
    },
    async (ctx, { params, body }) => {
      const prompt = await loadReadablePrompt(signedIn(ctx), params.id);
      const content = runPromptFunction(() =>
        renderPrompt(prompt.format, prompt.content, body.values, {
          variables: readVariables(prompt.variables),
        }),
      );
      ctx.body = { content };
    },
  );
}

function defineValidate(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/prompts/validate',
      summary:
        'Check prompt content; diagnostics have 1-based lines and UTF-16 columns, end exclusive',
      tag: 'prompts',
      access: 'user',
      body: validateBody,
      responses: { 200: { description: 'The diagnostics', schema: validationResponse } },
    },
    (ctx, { body }) => {
      ctx.body = runPromptFunction(() =>
        validatePrompt(body.format, body.content, {
          ...(body.variables === undefined ? {} : { variables: toDeclarations(body.variables) }),
        }),
      );
    },
  );
}

function defineConvert(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/prompts/convert',
      summary:
        'Convert prompt content to another format; what the target cannot hold is listed in ' +
        'warnings',
      tag: 'prompts',
      access: 'user',
      body: convertBody,
      responses: { 200: { description: 'The converted prompt', schema: conversionResponse } },
    },
    (ctx, { body }) => {
      ctx.body = runPromptFunction(() =>
        convertPrompt(body.from, body.to, body.content, {
          ...(body.model === undefined ? {} : { model: body.model }),
        }),
      );
    },
  );
}

function signedIn(ctx: AppContext): User {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}
