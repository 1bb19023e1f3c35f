/**
 * Albums in: photos and image files (originals, HEIC) in private chats and groups. The updates of one
 * media group, or single photos sent in a burst, are collected into one album; one status message is
 * edited with progress; then the post, the people and the failures are sent.
 */
import { Composer, type Context } from 'grammy';

import type { AlbumFailure, PhotoOriginal } from '../../../core/album.js';
import { describeError, ErrorCode } from '../../../core/errors.js';
import { telegramTenant } from '../../../core/keys.js';
import type { PhotoUpload } from '../../../services/photo-service.js';
import { sendAlbumReplies } from '../album-replies.js';
import { mediaGroupAlbumId } from '../album-memory.js';
import { trackAlbum } from '../album-tracker.js';
import { failuresText, receivedText, tooLargeText } from '../format.js';
import { BOT_API_DOWNLOAD_LIMIT, type IncomingMedia, isTooLarge, mediaOf } from '../files.js';
import type { FeatureKit } from '../kit.js';
import { MediaGroupCollector } from '../media-group.js';

interface AlbumItem extends IncomingMedia {
  readonly chatId: number;
  readonly mediaGroupId: string | null;
}

/** Telegram albums hold at most 10 items; a burst of single photos is cut at the same size. */
const MAX_GROUP_ITEMS = 10;
/** Downloads at once: enough to hide latency, few enough to stay polite to the Bot API. */
const DOWNLOADS_AT_ONCE = 4;

export function albumFeature(kit: FeatureKit): { composer: Composer<Context>; drain(): Promise<void> } {
  const composer = new Composer<Context>();
  const collector = new MediaGroupCollector<AlbumItem>(
    { debounceMs: kit.settings.albumDebounceMs, maxItems: MAX_GROUP_ITEMS },
    (_key, items) => processAlbum(items, kit),
    (error) => {
      kit.deps.log(`telegram: album failed: ${describeError(error).message}`);
    },
  );

  composer.on(['message:photo', 'message:document'], async (ctx, next) => {
    const media = mediaOf(ctx.msg);
    if (!media) return next();
    if (isTooLarge(media)) {
      await ctx.reply(
        tooLargeText(media.fileName ?? 'This file', media.fileSize ?? 0, BOT_API_DOWNLOAD_LIMIT),
        { parse_mode: 'HTML', reply_parameters: { message_id: ctx.msg.message_id } },
      );
      return;
    }
    const mediaGroupId = ctx.msg.media_group_id ?? null;
    // One album per media group; single photos are grouped per sender so a burst becomes one album.
    const key = mediaGroupId
      ? `${ctx.chat.id}/group/${mediaGroupId}`
      : `${ctx.chat.id}/single/${ctx.from.id}`;
    collector.add(key, { ...media, chatId: ctx.chat.id, mediaGroupId });
  });

  // Documents that are not images get a short answer in private chats; groups are left alone.
  composer.on('message:document', async (ctx) => {
    if (ctx.chat.type === 'private') {
      await ctx.reply('I only read photos and image files (JPEG, PNG, WebP, HEIC).');
    }
  });

  return { composer, drain: () => collector.drain() };
}

async function processAlbum(unsorted: readonly AlbumItem[], kit: FeatureKit): Promise<void> {
  const { api, deps } = kit;
  const items = [...unsorted].sort((a, b) => a.messageId - b.messageId);
  const first = items[0];
  if (!first) return;
  const chatId = first.chatId;
  const names = photoNames(items);

  const status = await api.sendMessage(chatId, receivedText(items.length), {
    reply_parameters: { message_id: first.messageId, allow_sending_without_reply: true },
  });
  const setStatus = async (text: string, html = false) => {
    try {
      await api.editMessageText(chatId, status.message_id, text, html ? { parse_mode: 'HTML' } : {});
    } catch (error) {
      deps.log(`telegram: editing the status message failed: ${describeError(error).message}`);
    }
  };
  try {
    await runAlbum(items, names, status.message_id, setStatus, kit);
  } catch (error) {
    // Redis or a store failed: the user hears it on the status message instead of silence.
    deps.log(`telegram: album in chat ${chatId} failed: ${describeError(error).message}`);
    await setStatus('Sorry, something went wrong with these photos. Please send them again in a while.');
  }
}

async function runAlbum(
  items: readonly AlbumItem[],
  names: readonly string[],
  statusId: number,
  setStatus: (text: string, html?: boolean) => Promise<void>,
  kit: FeatureKit,
): Promise<void> {
  const { api, deps } = kit;
  const first = items[0];
  if (!first) return;
  const chatId = first.chatId;
  const tenant = telegramTenant(chatId);

  const uploads: (PhotoUpload | undefined)[] = Array.from({ length: items.length }, () => undefined);
  const localFailures: AlbumFailure[] = [];
  const messageTimes: Record<string, string> = {};
  await forEachLimited(items, DOWNLOADS_AT_ONCE, async (item, i) => {
    const name = names[i] ?? `photo ${i + 1}`;
    const sentAt = new Date(item.date * 1000).toISOString();
    messageTimes[name] = sentAt;
    const message = {
      sentAt,
      ...(item.sender ? { sender: item.sender } : {}),
      ...(item.caption ? { caption: item.caption } : {}),
      ...(item.language ? { language: item.language } : {}),
      original: originalOf(item),
    };
    try {
      uploads[i] = { name, bytes: await kit.download(item.fileId), message };
    } catch (error) {
      const { code, message } = describeError(error);
      localFailures.push({
        path: name,
        code: code === ErrorCode.FileTooLarge ? code : 'DOWNLOAD_FAILED',
        message,
      });
    }
  });
  const ready = uploads.filter((u): u is PhotoUpload => u !== undefined);
  if (ready.length === 0) {
    await setStatus(
      ['None of the photos could be downloaded.', ...failuresText(localFailures)].join('\n\n'),
      true,
    );
    return;
  }

  const submitted = await deps.photos.submitAlbum(
    tenant,
    ready,
    first.mediaGroupId ? { albumId: mediaGroupAlbumId(first.mediaGroupId) } : {},
  );
  const final = await trackAlbum({
    api,
    chatId,
    messageId: statusId,
    tenant,
    albumId: submitted.albumId,
    total: submitted.photoCount,
    deps,
    settings: kit.settings,
    signal: kit.signal,
  });
  if (!final) {
    await setStatus('Still working on these photos. Send /blog in a while for the post and the people.');
    return;
  }
  const result = final.status === 'done' ? await deps.photos.albumResult(tenant, submitted.albumId) : null;
  if (!result) {
    await setStatus('Sorry, this album could not be processed. Please send it again later.');
    return;
  }
  const sent = await sendAlbumReplies(
    api,
    chatId,
    tenant,
    result,
    deps,
    { replyTo: first.messageId, statusId },
    {
      localFailures,
      messageTimes,
      ...(submitted.alreadyKnown ? { note: 'I had seen this before.' } : {}),
    },
  );
  kit.albums.remember(chatId, [...items.map((i) => i.messageId), statusId], submitted.albumId);
  deps.log(
    `telegram: album ${submitted.albumId} in chat ${chatId}: ${sent} messages for ${items.length} photos`,
  );
}

/**
 * Names the chat will see in "who is where" and in failures: documents keep their file name,
 * compressed photos are numbered in the order they were sent ("photo 3"). Names are unique.
 */
export function photoNames(items: readonly Pick<IncomingMedia, 'fileName'>[]): string[] {
  const seen = new Set<string>();
  return items.map((item, i) => {
    let name = item.fileName?.trim() || `photo ${i + 1}`;
    if (seen.has(name)) name = `${name} (${i + 1})`;
    seen.add(name);
    return name;
  });
}

async function forEachLimited<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i] as T, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * The photo as the chat can show it again: by its file id, and by a link to its message in
 * supergroups (`t.me/c/<id>/<message>`; other chats have no message links).
 */
function originalOf(item: AlbumItem): PhotoOriginal {
  const chat = String(item.chatId);
  return {
    kind: item.kind,
    ref: item.fileId,
    message: String(item.messageId),
    ...(chat.startsWith('-100') ? { link: `https://t.me/c/${chat.slice(4)}/${item.messageId}` } : {}),
  };
}
