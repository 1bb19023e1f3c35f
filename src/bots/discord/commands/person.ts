/**
 * `/person`: the people actions of the Telegram bot on Discord, with the same rules (the people service)
 * and the same permissions (src/chat/permissions.ts; "admin" is a member who may manage messages, as for
 * /forget): show, merge (with an Undo button), unmerge, hide and show, "not this person" for one face,
 * and photos by name. People are given by handle (`7`, `#7`) or name, with autocomplete.
 */
import {
  type AutocompleteInteraction,
  InteractionContextType,
  SlashCommandBuilder,
  type SlashCommandStringOption,
} from 'discord.js';

import type { PeopleAction } from '../../../chat/permissions.js';
import { deferForTenant, NO_MENTIONS, tenantOf, toPayload, type SlashCommand } from '../command.js';
import type { DiscordDeps } from '../context.js';
import { esc, plural } from '../format.js';
import { allowed, personButton, personRow, REFUSED, undoRow, who } from './person-buttons.js';

/** Autocomplete answers at most 25 choices (Discord's limit). */
const MAX_CHOICES = 25;

const personOption = (name: string, description: string) => (o: SlashCommandStringOption) =>
  o.setName(name).setDescription(description).setRequired(true).setAutocomplete(true).setMaxLength(128);

export const personCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('person')
    .setDescription('One person: show, merge, unmerge, hide, correct a face, photos')
    .setContexts(InteractionContextType.Guild)
    .addSubcommand((s) =>
      s
        .setName('show')
        .setDescription('Their face and photo count')
        .addStringOption(personOption('who', 'Handle or name')),
    )
    .addSubcommand((s) =>
      s
        .setName('merge')
        .setDescription('Join one person into another (with Undo)')
        .addStringOption(personOption('who', 'The person to join'))
        .addStringOption(personOption('into', 'The person they are')),
    )
    .addSubcommand((s) =>
      s
        .setName('hide')
        .setDescription('Hide from /people')
        .addStringOption(personOption('who', 'Handle or name')),
    )
    .addSubcommand((s) =>
      s
        .setName('unhide')
        .setDescription('Show in /people again')
        .addStringOption(personOption('who', 'Handle or name')),
    )
    .addSubcommand((s) =>
      s
        .setName('not-this')
        .setDescription('One face is not this person')
        .addStringOption(personOption('who', 'Handle or name'))
        .addIntegerOption((o) =>
          o
            .setName('face')
            .setDescription('The face number from /person show')
            .setRequired(true)
            .setMinValue(1),
        ),
    )
    .addSubcommand((s) =>
      s
        .setName('photos')
        .setDescription('The photos they are in')
        .addStringOption(personOption('who', 'Handle or name')),
    ),

  async autocomplete(interaction: AutocompleteInteraction, deps: DiscordDeps) {
    const tenant = tenantOf(interaction);
    if (!tenant) {
      await interaction.respond([]);
      return;
    }
    const typed = interaction.options.getFocused().toLowerCase().replace(/^#/, '');
    const people = await deps.services.people.listPeople(tenant);
    const choices = people
      .filter(
        (p) => !typed || String(p.handle).startsWith(typed) || (p.name ?? '').toLowerCase().includes(typed),
      )
      .slice(0, MAX_CHOICES)
      .map((p) => ({
        name: `${p.name ?? 'Unnamed'} #${p.handle} (${plural(p.photoCount, 'photo')})`,
        value: String(p.handle),
      }));
    await interaction.respond(choices);
  },

  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const people = deps.services.people;
    const sub = interaction.options.getSubcommand();
    const action: PeopleAction =
      sub === 'merge'
        ? 'merge'
        : sub === 'hide' || sub === 'unhide'
          ? 'hide'
          : sub === 'not-this'
            ? 'split'
            : 'photos';
    if (!allowed(interaction, action)) {
      await interaction.editReply({ content: REFUSED });
      return;
    }
    const ref = interaction.options.getString('who', true);
    const p = await people.findPerson(tenant, ref);
    if (!p) {
      await interaction.editReply({
        content: `I know no ${esc(ref)} here: see \`/people\`.`,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    const face = p.coverKey ? await deps.blobs.get(p.coverKey) : null;
    const withFace = (content: string, extra: object = {}) =>
      interaction.editReply({
        ...toPayload({ content, files: face ? [{ name: `${p.handle}.jpg`, data: Buffer.from(face) }] : [] }),
        ...extra,
      });

    if (sub === 'show') {
      const faces = await people.personFaces(tenant, p.id);
      // Asked by the handle of someone merged into this person: their merge can be undone from here.
      const merge = await people.undoableMerge(tenant, ref);
      await withFace(
        `${who(p)}: ${plural(p.photoCount, 'photo')}, ${plural(faces.length, 'face')}${p.hidden ? ' (hidden)' : ''}.`,
        { components: [personRow(p, merge)] },
      );
    } else if (sub === 'merge') {
      const intoRef = interaction.options.getString('into', true);
      const into = await people.findPerson(tenant, intoRef);
      if (!into) {
        await interaction.editReply({
          content: `I know no ${esc(intoRef)} here.`,
          allowedMentions: NO_MENTIONS,
        });
        return;
      }
      const outcome = await people.mergePeople(tenant, p.id, into.id);
      const kept = (await people.findPerson(tenant, outcome.kept)) ?? into;
      const undo = outcome.merged ? [undoRow(outcome.merged)] : [];
      await withFace(`Merged: ${who(p)} and ${who(into)} are now ${who(kept)}.`, { components: undo });
    } else if (sub === 'hide' || sub === 'unhide') {
      await people.hidePerson(tenant, p.id, sub === 'hide');
      await withFace(sub === 'hide' ? `Hid ${who(p)} from /people.` : `${who(p)} is back in /people.`);
    } else if (sub === 'not-this') {
      const n = interaction.options.getInteger('face', true);
      const target = (await people.personFaces(tenant, p.id))[n - 1];
      if (!target) {
        await withFace(`${who(p)} has no face ${n}.`);
        return;
      }
      const crop = await deps.blobs.get(target.key);
      const outcome = await people.splitFace(tenant, target.id);
      const now = outcome.personId ? await people.findPerson(tenant, outcome.personId) : null;
      await interaction.editReply(
        toPayload({
          content: now
            ? `Done: that face is now ${who(now)}, not ${who(p)}.`
            : `Done: that face is no longer ${who(p)}.`,
          files: crop ? [{ name: 'face.jpg', data: Buffer.from(crop) }] : [],
        }),
      );
    } else {
      const photos = await people.photosOf(tenant, p.id);
      await withFace(
        `${who(p)} is in ${plural(photos.length, 'photo')}: ${esc(photos.map((x) => x.name).join(', '))}`.slice(
          0,
          1900,
        ),
      );
    }
  },

  button: personButton,
};
