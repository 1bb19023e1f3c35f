/**
 * The error boundary: a failing handler answers the user instead of going silent, and logs the
 * cause. Input errors (AppError BAD_ARGUMENTS: a bad name, an unknown person) are shown as they are;
 * anything else gets a generic apology, since its message may hold internals.
 */
import { type BotError, GrammyError, HttpError } from 'grammy';

import { ErrorCode, isAppError } from '../../../core/errors.js';
import { telegramTenant } from '../../../core/keys.js';
import type { Log } from '../../../core/log.js';

export function userMessage(error: unknown): string {
  if (isAppError(error) && error.code === ErrorCode.BadArguments) return `Sorry: ${error.message}.`;
  return 'Sorry, something went wrong on my side. Please try again in a moment.';
}

export function errorHandler(log: Log) {
  return async (err: BotError): Promise<void> => {
    const { ctx, error } = err;
    const where = `update ${ctx.update.update_id}`;
    // The ids go in as fields of the JSON log line.
    const fields = {
      level: 'error' as const,
      updateId: ctx.update.update_id,
      ...(ctx.chat ? { tenant: telegramTenant(ctx.chat.id) } : {}),
    };
    if (error instanceof GrammyError)
      log(`telegram: ${where}: Bot API error ${error.error_code}: ${error.description}`, fields);
    else if (error instanceof HttpError)
      log(`telegram: ${where}: could not reach the Bot API: ${String(error.error)}`, fields);
    else
      log(
        `telegram: ${where}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        fields,
      );
    // The apology may fail too (the chat is gone, Telegram is down): log only then.
    try {
      if (ctx.callbackQuery) await ctx.answerCallbackQuery({ text: userMessage(error), show_alert: true });
      else if (ctx.chat) await ctx.reply(userMessage(error));
    } catch (replyError) {
      log(`telegram: ${where}: could not tell the user: ${String(replyError)}`, { ...fields, level: 'warn' });
    }
  };
}
