import type { Transaction } from 'sequelize';
import type { AppServices } from '../context.js';
import { conflict, HttpError } from '../errors.js';
import { ChatMessage, type ChatSession } from '../models/index.js';
import { chatRuntime } from './runtime.js';

/** Loads a message of the session; throws 404 when the session has no such message. */
export async function assertMessageInSession(
  session: ChatSession,
  messageId: number,
  transaction?: Transaction,
): Promise<ChatMessage> {
  const message = await ChatMessage.findOne({
    where: { id: messageId, sessionId: session.id },
    ...(transaction === undefined ? {} : { transaction }),
  });
  if (message === null) {
    throw new HttpError(
      404,
      'not_found',
      `Message ${messageId} was not found in chat session ${session.id}.`,
    );
  }
  return message;
}

/**
 * Stops an answer: aborts its provider request, waits until the partial answer is stored, and
 * returns it. An answer that already ended is returned unchanged. An answer left `streaming`
 * with no request running, as after a server restart, is marked stopped.
 */
export async function stopAnswer(
  services: AppServices,
  session: ChatSession,
  messageId: number,
): Promise<ChatMessage> {
  const message = await assertMessageInSession(session, messageId);
  if (message.role !== 'assistant') {
    throw conflict(
      'not_an_answer',
      `Message ${messageId} is a user message; only an answer (role assistant) can be stopped.`,
    );
  }
  const running = chatRuntime(services).find(messageId);
  if (running !== undefined) {
    running.abort('stopped');
    await running.finished;
    await message.reload();
  } else if (message.status === 'streaming') {
    await message.update({ status: 'stopped', finishReason: 'aborted' });
  }
  return message;
}

/** Deletes a message. An answer still streaming is stopped first. */
export async function deleteMessage(
  services: AppServices,
  session: ChatSession,
  messageId: number,
): Promise<ChatMessage> {
  const message = await assertMessageInSession(session, messageId);
  const running = chatRuntime(services).find(messageId);
  if (running !== undefined) {
    running.abort('stopped');
    await running.finished;
  }
  await message.destroy();
  return message;
}
