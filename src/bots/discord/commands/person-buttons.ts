/**
 * The buttons of `/person` and of "Is this Anna?" after an album, with the permissions of
 * src/chat/permissions.ts checked for the member who presses ("admin" is a member who may manage
 * messages, as for /forget). Custom ids: `person:<what>:<id>[:<id>]`.
 * - `undo:<from>` takes a merge back (unmerge);
 * - `sy:<unnamed>:<named>` / `sn:…` answers a suggestion: Yes merges (merge), No keeps apart (split);
 * - `hd:<id>` / `sh:<id>` hides or shows a person (hide);
 * - `ns:<id>` shows the person's faces, numbered, and `nf:<face>:<id>` takes one out (split).
 */
import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
  MessageFlags,
  PermissionFlagsBits,
} from 'discord.js';

import { renderContactSheet, type SheetEntry } from '../../../blog/contact-sheet.js';
import { mayDo, type PeopleAction } from '../../../chat/permissions.js';
import type { PersonSummary } from '../../../services/people-service.js';
import { NO_MENTIONS, tenantOf, toPayload } from '../command.js';
import type { DiscordDeps } from '../context.js';
import { esc } from '../format.js';

export const REFUSED = 'Only members who can manage messages in this channel can do that.';
/** Faces offered for "not this person": two rows of five buttons. */
const MAX_FACES = 10;

export function who(p: Pick<PersonSummary, 'handle' | 'name'>): string {
  return p.name ? `**${esc(p.name)}** (#${p.handle})` : `**#${p.handle}**`;
}

export function allowed(
  interaction: ChatInputCommandInteraction | ButtonInteraction,
  action: PeopleAction,
): boolean {
  const admin = interaction.memberPermissions?.has(PermissionFlagsBits.ManageMessages) ?? false;
  return mayDo(action, admin ? 'admin' : 'member');
}

const button = (id: string, label: string, style = ButtonStyle.Secondary) =>
  new ButtonBuilder().setCustomId(`person:${id}`).setLabel(label).setStyle(style);

export function undoRow(from: string): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(button(`undo:${from}`, 'Undo'));
}

/**
 * Under `/person show`: hide or show, "not this person" (pick a face), and Undo of the merge the handle
 * was given through, when there is one to take back.
 */
export function personRow(
  p: Pick<PersonSummary, 'id' | 'hidden'>,
  merge?: { readonly from: string; readonly handle: number } | null,
): ActionRowBuilder<ButtonBuilder> {
  const row = new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(`${p.hidden ? 'sh' : 'hd'}:${p.id}`, p.hidden ? 'Show' : 'Hide'),
    button(`ns:${p.id}`, 'Not this person…'),
  );
  if (merge) row.addComponents(button(`undo:${merge.from}`, `Undo merge of #${merge.handle}`));
  return row;
}

export function suggestionRow(s: { personId: string; candidateId: string }): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    button(`sy:${s.personId}:${s.candidateId}`, 'Yes', ButtonStyle.Success),
    button(`sn:${s.personId}:${s.candidateId}`, 'No', ButtonStyle.Danger),
  );
}

/** Who a button's action needs, by the id's `<what>`. */
const ACTION: Readonly<Record<string, PeopleAction>> = {
  undo: 'unmerge',
  sy: 'merge',
  // "No" only keeps two people apart: a correction any member may make, as "not this person".
  sn: 'split',
  hd: 'hide',
  sh: 'hide',
  ns: 'split',
  nf: 'split',
};

export async function personButton(interaction: ButtonInteraction, deps: DiscordDeps): Promise<void> {
  const [, what = '', a = '', b = ''] = interaction.customId.split(':');
  const tenant = tenantOf(interaction);
  const action = ACTION[what];
  if (!action || !a || !tenant) return;
  if (!allowed(interaction, action)) {
    await interaction.reply({ content: REFUSED, flags: MessageFlags.Ephemeral });
    return;
  }
  const people = deps.services.people;
  const gone = () =>
    interaction.reply({ content: 'That person is no longer here.', flags: MessageFlags.Ephemeral });

  switch (what) {
    case 'undo': {
      const restored = await people.undoMerge(tenant, a);
      const p = await people.findPerson(tenant, restored);
      await interaction.update({
        content: `Undone: ${p ? who(p) : 'that person'} is a person of their own again.`,
        components: [],
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    case 'sy':
    case 'sn': {
      const person = await people.findPerson(tenant, a);
      const candidate = await people.findPerson(tenant, b);
      if (!person || !candidate) {
        await gone();
        return;
      }
      if (person.id === candidate.id) {
        await interaction.update({
          content: `${who(candidate)}: one person already.`,
          components: [],
          allowedMentions: NO_MENTIONS,
        });
        return;
      }
      const outcome = await people.answerSuggestion(tenant, {
        personId: person.id,
        candidateId: candidate.id,
        yes: what === 'sy',
      });
      if (outcome.answer === 'merged') {
        const kept = (await people.findPerson(tenant, outcome.merge.kept)) ?? candidate;
        await interaction.update({
          content: `Yes: ${who(person)} is now ${who(kept)}.`,
          components: outcome.merge.merged ? [undoRow(outcome.merge.merged)] : [],
          allowedMentions: NO_MENTIONS,
        });
        return;
      }
      await interaction.update({
        content: `Not ${esc(candidate.name ?? `#${candidate.handle}`)}: ${who(person)} and ${who(candidate)} stay apart, and I will not ask again.`,
        components: [],
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    case 'hd':
    case 'sh': {
      const p = await people.findPerson(tenant, a);
      if (!p) {
        await gone();
        return;
      }
      const hidden = what === 'hd';
      await people.hidePerson(tenant, p.id, hidden);
      await interaction.update({
        content: hidden ? `Hid ${who(p)} from /people.` : `${who(p)} is back in /people.`,
        components: [personRow({ ...p, hidden })],
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    case 'ns': {
      const p = await people.findPerson(tenant, a);
      if (!p) {
        await gone();
        return;
      }
      await interaction.deferReply();
      const faces = (await people.personFaces(tenant, p.id)).slice(0, MAX_FACES);
      const tiles: SheetEntry[] = [];
      const rows: ActionRowBuilder<ButtonBuilder>[] = [];
      for (const face of faces) {
        const bytes = await deps.blobs.get(face.key);
        if (!bytes) continue;
        tiles.push({ label: String(tiles.length + 1), face: Buffer.from(bytes) });
        if (tiles.length % 5 === 1) rows.push(new ActionRowBuilder<ButtonBuilder>());
        rows.at(-1)?.addComponents(button(`nf:${face.id}:${p.id}`, String(tiles.length)));
      }
      if (tiles.length < 2) {
        await interaction.editReply({
          content: `${who(p)} has only one face so far.`,
          allowedMentions: NO_MENTIONS,
        });
        return;
      }
      await interaction.editReply({
        ...toPayload({
          content: `Which of these is not ${who(p)}?`,
          files: [{ name: 'faces.jpg', data: await renderContactSheet(tiles, 5) }],
        }),
        components: rows,
      });
      return;
    }
    case 'nf': {
      const crop = await people.faceCropKey(tenant, a);
      const bytes = crop ? await deps.blobs.get(crop) : null;
      const outcome = await people.splitFace(tenant, a);
      const now = outcome.personId ? await people.findPerson(tenant, outcome.personId) : null;
      const was = b ? await people.findPerson(tenant, b) : null;
      const old = was ? who(was) : 'that person';
      await interaction.update({
        ...toPayload({
          content: now
            ? `Done: that face is now ${who(now)}, not ${old}.`
            : `Done: that face is no longer ${old}.`,
          files: bytes ? [{ name: 'face.jpg', data: Buffer.from(bytes) }] : [],
        }),
        components: [],
        attachments: [],
      });
      return;
    }
  }
}
