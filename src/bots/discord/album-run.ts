/**
 * One album from Discord attachments to a finished reply: download, submit, show progress on one
 * status message (edited, never a flood), then the report and the post. Used by `/album` (the status
 * message is the deferred reply) and by watched channels (a reply to the user's message).
 */
import type { PhotoMessage } from '../../core/album.js';
import { albumPost, albumReport, type OutMessage } from './album-post.js';
import { downloadAttachments, type AttachmentRef } from './attachments.js';
import { timingOf, type DiscordDeps } from './context.js';
import { clip, failureText, plural, progressText } from './format.js';
import { peopleLabels } from './people-labels.js';
import { sendSuggestions } from './suggest.js';

/** Where an album's replies go. */
export interface ReplySurface {
  /** Replaces the status message. */
  edit(message: OutMessage): Promise<void>;
  /** A further message after the status message. */
  send(message: OutMessage): Promise<void>;
}

export type AlbumRunOutcome = 'done' | 'failed' | 'nothing' | 'timeout';

export async function runAlbum(
  deps: DiscordDeps,
  tenant: string,
  refs: readonly AttachmentRef[],
  surface: ReplySurface,
  /** The message (or command) that brought the photos: time, sender, text and locale, for the post. */
  message?: PhotoMessage,
): Promise<AlbumRunOutcome> {
  const { services } = deps;
  await surface.edit({ content: `📥 Downloading ${plural(refs.length, 'file')}…` });
  const downloaded = await downloadAttachments(refs);
  const failures = downloaded.failures;
  const uploads = message ? downloaded.uploads.map((u) => ({ ...u, message })) : downloaded.uploads;
  if (uploads.length === 0) {
    await surface.edit({ content: clip(`No photo I could use.\n\n${failureText(failures)}`) });
    return 'nothing';
  }
  const submitted = await services.photos.submitAlbum(tenant, uploads);
  const { albumId } = submitted;
  deps.log(`discord: ${tenant} album ${albumId}: ${submitted.photoCount} photo(s)`);
  const finished = await waitWithProgress(deps, tenant, albumId, submitted.photoCount, surface);
  if (finished === null) {
    await surface.edit({
      content: '⏳ Still processing; I stopped watching. Use `/blog` later for the post.',
    });
    return 'timeout';
  }
  const result = await services.photos.albumResult(tenant, albumId);
  if (finished === 'failed' || result === null) {
    await surface.edit({
      content: clip(`❌ The album could not be processed.\n\n${failureText(failures)}`),
    });
    return 'failed';
  }
  const labels = await peopleLabels(services, tenant);
  await surface.edit(await albumReport(deps, tenant, result, labels, failures));
  for (const message of await albumPost(deps, tenant, result, labels)) await surface.send(message);
  await sendSuggestions(deps, tenant, result, (m) => surface.send(m));
  return 'done';
}

/**
 * Waits for the album to finish, editing the status line as photos complete: progress events from any
 * worker, and the album's stored counts read every `pollMs` (events can be missed; the row cannot).
 */
async function waitWithProgress(
  deps: DiscordDeps,
  tenant: string,
  albumId: string,
  total: number,
  surface: ReplySurface,
): Promise<'done' | 'failed' | null> {
  const timing = timingOf(deps);
  let eventDone = 0;
  const unwatch = deps.services.progress.watch(tenant, albumId, (p) => {
    eventDone = Math.max(eventDone, p.done);
  });
  try {
    const until = Date.now() + timing.albumWaitMs;
    let shown = progressText(0, total);
    await surface.edit({ content: shown });
    let shownAt = Date.now();
    for (;;) {
      const status = await deps.services.photos.albumStatus(tenant, albumId);
      if (status?.status === 'done' || status?.status === 'failed') return status.status;
      if (Date.now() > until) return null;
      if (status) {
        const text = progressText(
          Math.min(status.total, Math.max(eventDone, status.processed)),
          status.total,
        );
        if (text !== shown && Date.now() - shownAt >= timing.progressEditMs) {
          await surface.edit({ content: text });
          shown = text;
          shownAt = Date.now();
        }
      }
      await new Promise((resolve) => setTimeout(resolve, timing.pollMs));
    }
  } finally {
    unwatch();
  }
}
