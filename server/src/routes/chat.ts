import { z } from 'zod';
import { auditRequest } from '../audit.js';
import type { AppContext } from '../context.js';
import { unauthorized } from '../errors.js';
import { ChatMessage, type User } from '../models/index.js';
import {
  presentSession,
  regenerateAnswer,
  sendMessage,
  type ReplyMode,
} from '../chat/conversation.js';
import { exportFileName } from '../chat/exportFileName.js';
import { stopInterruptedAnswers } from '../chat/interruptedAnswers.js';
import { renderMarkdown, renderText } from '../chat/exportFormats.js';
import { deleteMessage, stopAnswer } from '../chat/messageActions.js';
import { presentChatExport, presentChatMessage, presentChatSession } from '../chat/presenter.js';
import {
  createSessionBody,
  exportQuery,
  listSessionsQuery,
  messageParams,
  messageSchema,
  regenerateBody,
  sendMessageBody,
  sessionParams,
  sessionResponse,
  sessionSchema,
  turnResponse,
  updateSessionBody,
} from '../chat/schemas.js';
import {
  countMessages,
  createSession,
  deleteSession,
  listSessions,
  loadOwnedSession,
  loadSessionToAnswer,
  updateSession,
} from '../chat/sessions.js';
import { defineRoute, type RouteTarget } from '../routing.js';

const STREAM_NOTE =
  'Streams server-sent events (start, reasoning, content, usage, done or error) when `stream` ' +
  'is true, and returns one JSON body when it is false, whatever the Accept header says. ' +
  'Without `stream`, streams when the Accept header names text/event-stream.';

/** Registers `/api/chat/sessions` and the message routes under it. */
export function registerChatRoutes(target: RouteTarget): void {
  defineListSessions(target);
  defineCreateSession(target);
  defineGetSession(target);
  defineUpdateSession(target);
  defineDeleteSession(target);
  defineListMessages(target);
  defineSendMessage(target);
  defineRegenerateLast(target);
  defineRegenerateMessage(target);
  defineStop(target);
  defineDeleteMessage(target);
  defineExport(target);
}

function defineListSessions(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/chat/sessions',
      summary: 'List your chat sessions, most recently active first, searchable by title',
      tag: 'chat',
      access: 'user',
      query: listSessionsQuery,
      responses: {
        200: {
          description: 'A page of sessions',
          schema: z.object({
            sessions: z.array(sessionSchema),
            total: z.number().int(),
            page: z.number().int(),
            pageSize: z.number().int(),
          }),
        },
      },
    },
    async (ctx, { query }) => {
      const { sessions, total } = await listSessions(signedIn(ctx), {
        ...(query.q === undefined ? {} : { search: query.q }),
        page: query.page,
        pageSize: query.pageSize,
      });
      const counts = await countMessages(sessions.map((session) => session.id));
      ctx.body = {
        sessions: sessions.map((session) =>
          presentChatSession(session, counts.get(session.id) ?? 0),
        ),
        total,
        page: query.page,
        pageSize: query.pageSize,
      };
    },
  );
}

function defineCreateSession(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/chat/sessions',
      summary: 'Start a chat session with a model config; the first message names it if untitled',
      tag: 'chat',
      access: 'user',
      body: createSessionBody,
      responses: { 201: { description: 'Created', schema: sessionResponse } },
    },
    async (ctx, { body }) => {
      const session = await createSession(signedIn(ctx), body);
      ctx.status = 201;
      ctx.body = { session: presentChatSession(session, 0) };
    },
  );
}

function defineGetSession(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/chat/sessions/:id',
      summary: 'One of your chat sessions',
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      responses: { 200: { description: 'The session', schema: sessionResponse } },
    },
    async (ctx, { params }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      ctx.body = { session: await presentSession(session) };
    },
  );
}

function defineUpdateSession(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'put',
      path: '/api/chat/sessions/:id',
      summary: 'Rename a session, or change its model config or system prompt',
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      body: updateSessionBody,
      responses: { 200: { description: 'Changed', schema: sessionResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const session = await updateSession(user, await loadOwnedSession(user, params.id), body);
      ctx.body = { session: await presentSession(session) };
    },
  );
}

function defineDeleteSession(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/chat/sessions/:id',
      summary: 'Delete a session with all its messages, stopping an answer in progress',
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      responses: { 204: { description: 'Deleted' } },
    },
    async (ctx, { params }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      const messageCount = (await countMessages([session.id])).get(session.id) ?? 0;
      await deleteSession(ctx.services, session);
      await auditRequest(ctx, {
        action: 'chat_session.delete',
        targetType: 'chat_session',
        targetId: session.id,
        details: { title: session.title, modelConfigId: session.modelConfigId, messageCount },
      });
      ctx.status = 204;
    },
  );
}

function defineListMessages(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/chat/sessions/:id/messages',
      summary:
        'The messages of a session, oldest first. An answer left streaming by a server that ' +
        'stopped mid-answer is marked stopped here once no server has touched it for 90 seconds.',
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      responses: {
        200: {
          description: 'Messages',
          schema: z.object({ messages: z.array(messageSchema), total: z.number().int() }),
        },
      },
    },
    async (ctx, { params }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      await stopInterruptedAnswers(ctx.services, session.id);
      const messages = await ChatMessage.findAll({
        where: { sessionId: session.id },
        order: [['id', 'ASC']],
      });
      ctx.body = { messages: messages.map(presentChatMessage), total: messages.length };
    },
  );
}

function defineSendMessage(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/chat/sessions/:id/messages',
      summary: `Send a message and get the model's answer. ${STREAM_NOTE}`,
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      body: sendMessageBody,
      responses: { 200: { description: 'The message and its answer', schema: turnResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const loaded = await loadSessionToAnswer(ctx.services, user, params.id);
      const mode = replyMode(ctx, body.stream);
      await sendMessage(ctx, { user, ...loaded, mode }, body.content);
    },
  );
}

function defineRegenerateLast(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/chat/sessions/:id/regenerate',
      summary: `Answer the last user message again, replacing its answer. ${STREAM_NOTE}`,
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      body: regenerateBody,
      responses: { 200: { description: 'The new answer', schema: turnResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const loaded = await loadSessionToAnswer(ctx.services, user, params.id);
      const mode = replyMode(ctx, body.stream);
      await regenerateAnswer(ctx, { user, ...loaded, mode }, null);
    },
  );
}

function defineRegenerateMessage(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/chat/sessions/:id/messages/:messageId/regenerate',
      summary: `Answer again in place of this answer, the session's last message. ${STREAM_NOTE}`,
      tag: 'chat',
      access: 'user',
      params: messageParams,
      body: regenerateBody,
      responses: { 200: { description: 'The new answer', schema: turnResponse } },
    },
    async (ctx, { params, body }) => {
      const user = signedIn(ctx);
      const loaded = await loadSessionToAnswer(ctx.services, user, params.id);
      const mode = replyMode(ctx, body.stream);
      await regenerateAnswer(ctx, { user, ...loaded, mode }, params.messageId);
    },
  );
}

function defineStop(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'post',
      path: '/api/chat/sessions/:id/messages/:messageId/stop',
      summary: 'Stop an answer in progress; its partial text is kept, marked stopped',
      tag: 'chat',
      access: 'user',
      params: messageParams,
      responses: {
        200: { description: 'The answer as stored', schema: z.object({ message: messageSchema }) },
      },
    },
    async (ctx, { params }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      const message = await stopAnswer(ctx.services, session, params.messageId);
      ctx.body = { message: presentChatMessage(message) };
    },
  );
}

function defineDeleteMessage(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'delete',
      path: '/api/chat/sessions/:id/messages/:messageId',
      summary:
        'Delete a message. An answer in progress is stopped first. A user message is deleted ' +
        'with the answers after it up to the next user message, and 409 while one of them is ' +
        'being generated. Returns the ids deleted.',
      tag: 'chat',
      access: 'user',
      params: messageParams,
      responses: {
        200: {
          description: 'Deleted',
          schema: z.object({ deletedMessageIds: z.array(z.number().int()) }),
        },
      },
    },
    async (ctx, { params }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      const deletedMessageIds = await deleteMessage(ctx.services, session, params.messageId);
      ctx.body = { deletedMessageIds };
    },
  );
}

function defineExport(target: RouteTarget): void {
  defineRoute(
    target,
    {
      method: 'get',
      path: '/api/chat/sessions/:id/export',
      summary: 'Download a session as plain text, Markdown or JSON (every field)',
      tag: 'chat',
      access: 'user',
      params: sessionParams,
      query: exportQuery,
      responses: { 200: { description: 'The file, as an attachment' } },
    },
    async (ctx, { params, query }) => {
      const session = await loadOwnedSession(signedIn(ctx), params.id);
      await stopInterruptedAnswers(ctx.services, session.id);
      const messages = await ChatMessage.findAll({
        where: { sessionId: session.id },
        order: [['id', 'ASC']],
      });
      const chat = presentChatExport(session, messages, new Date());
      const fileName = exportFileName(session.title, session.id, query.format);

      ctx.attachment(fileName.name, { fallback: fileName.asciiName });
      switch (query.format) {
        case 'json':
          ctx.type = 'application/json; charset=utf-8';
          ctx.body = `${JSON.stringify(chat, null, 2)}\n`;
          break;
        case 'md':
          ctx.type = 'text/markdown; charset=utf-8';
          ctx.body = renderMarkdown(chat);
          break;
        case 'txt':
          ctx.type = 'text/plain; charset=utf-8';
          ctx.body = renderText(chat);
          break;
      }
    },
  );
}

/**
 * Picks how to reply: the body's `stream` flag when given, else server-sent events when the
 * Accept header lists text/event-stream with a non-zero quality.
 */
function replyMode(ctx: AppContext, stream: boolean | undefined): ReplyMode {
  if (stream !== undefined) {
    return { stream };
  }
  const accepted = ctx
    .get('Accept')
    .split(',')
    .some((range) => {
      const [type = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
      const quality = parameters.find((parameter) => parameter.startsWith('q='));
      return (
        type === 'text/event-stream' && (quality === undefined || Number(quality.slice(2)) > 0)
      );
    });
  return { stream: accepted };
}

function signedIn(ctx: AppContext): User {
  const user = ctx.state.currentUser;
  if (user === undefined) {
    throw unauthorized();
  }
  return user;
}
