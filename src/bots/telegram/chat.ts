/** Who may do what in a chat, and which tenant a chat is. */
import type { Context } from 'grammy';

import { AppError, ErrorCode } from '../../core/errors.js';
import { telegramTenant } from '../../core/keys.js';

/** The tenant of the update's chat: every chat (private or group) has its own photos and people. */
export function tenantOf(ctx: Context): string {
  const chat = ctx.chat;
  if (!chat) throw new AppError(ErrorCode.BadArguments, 'the update has no chat');
  return telegramTenant(chat.id);
}

export function isGroup(ctx: Context): boolean {
  return ctx.chat?.type === 'group' || ctx.chat?.type === 'supergroup';
}

/**
 * Private chats belong to their one user. In groups, destructive commands are for the chat's
 * administrators; an anonymous administrator posts as the group itself (sender_chat = the chat).
 * A button press is always checked against the user who pressed it: the message a keyboard hangs on
 * may carry a sender_chat, which says nothing about who pressed.
 */
export async function isChatAdmin(ctx: Context): Promise<boolean> {
  const chat = ctx.chat;
  if (!chat) return false;
  if (chat.type === 'private') return true;
  if (!ctx.callbackQuery && ctx.message?.sender_chat?.id === chat.id) return true;
  const user = ctx.from;
  if (!user) return false;
  const member = await ctx.api.getChatMember(chat.id, user.id);
  return member.status === 'creator' || member.status === 'administrator';
}

export const ADMIN_ONLY = 'Only the group’s admins can do that.';
