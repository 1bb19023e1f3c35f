/**
 * A person's photos back into the chat: the originals by Telegram's own file id (full quality, no
 * upload, the kind they were sent as), and a stored thumbnail only for photos the chat has no reference
 * to (albums from before references were kept) or whose reference Telegram refuses.
 */
import { type Api, GrammyError, InputFile } from 'grammy';
import type { InputMediaDocument, InputMediaPhoto } from 'grammy/types';

import { escapeHtml } from '../../blog/split-telegram.js';
import type { BlobStore } from '../../ports/blob-store.js';
import type { FoundPhoto } from '../../services/search-service.js';

/** A media group holds 2–10 items; more photos than one group are more than a chat wants to scroll. */
export const MAX_SHOWN = 10;

type Media = InputMediaPhoto | InputMediaDocument;

/** Sends up to `MAX_SHOWN` of `photos`, best first, as replies to `replyTo`; returns how many it showed. */
export async function sendFoundPhotos(
  api: Api,
  chatId: number,
  photos: readonly FoundPhoto[],
  blobs: Pick<BlobStore, 'get'>,
  replyTo?: number,
): Promise<number> {
  const shown = photos.slice(0, MAX_SHOWN);
  const reply =
    replyTo === undefined
      ? {}
      : { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } };
  const send = async (items: readonly Media[]) => {
    const [only] = items;
    if (items.length === 0) return;
    if (items.length === 1 && only) {
      if (only.type === 'photo') await api.sendPhoto(chatId, only.media, reply);
      else await api.sendDocument(chatId, only.media, reply);
    } else if (items.every((m): m is InputMediaPhoto => m.type === 'photo')) {
      await api.sendMediaGroup(chatId, items, reply);
    } else if (items.every((m): m is InputMediaDocument => m.type === 'document')) {
      await api.sendMediaGroup(chatId, items, reply);
    }
  };
  const thumbs = async (list: readonly FoundPhoto[]): Promise<InputMediaPhoto[]> => {
    const out: InputMediaPhoto[] = [];
    for (const photo of list) {
      const bytes = (await blobs.get(photo.thumbKey)) ?? (await blobs.get(photo.blobKey));
      if (bytes) out.push({ type: 'photo', media: new InputFile(bytes, `${photo.sha256.slice(0, 16)}.jpg`) });
    }
    return out;
  };

  // Telegram keeps photos and files in separate media groups: one group of each at most.
  const asFile = (p: FoundPhoto) => p.original?.ref !== undefined && p.original.kind === 'document';
  const asPhotos = shown.filter((p) => !asFile(p));
  const asFiles = shown.filter(asFile);
  let count = 0;
  const byRef = (p: FoundPhoto): Media | null =>
    p.original?.ref ? { type: p.original.kind, media: p.original.ref } : null;
  for (const group of [asPhotos, asFiles]) {
    if (group.length === 0) continue;
    const refs = group.map(byRef);
    try {
      const media: Media[] = [];
      const missing = group.filter((_, i) => refs[i] === null);
      const uploaded = await thumbs(missing);
      for (const ref of refs) if (ref) media.push(ref);
      media.push(...uploaded);
      await send(media);
      count += media.length;
    } catch (error) {
      // A reference Telegram no longer accepts (another bot's, or a deleted file): show the thumbnails.
      if (!(error instanceof GrammyError) || error.error_code !== 400) throw error;
      const uploaded = await thumbs(group);
      await send(uploaded);
      count += uploaded.length;
    }
  }
  return count;
}

/** " Sent in: 1 · 2 · 3" (HTML) linking the messages that brought the photos shown, where the chat has links. */
export function sentInText(photos: readonly FoundPhoto[]): string {
  const links = photos.slice(0, MAX_SHOWN).flatMap((p) => (p.original?.link ? [p.original.link] : []));
  if (links.length === 0) return '';
  return ` Sent in: ${links.map((href, i) => `<a href="${escapeHtml(href)}">${i + 1}</a>`).join(' · ')}.`;
}
