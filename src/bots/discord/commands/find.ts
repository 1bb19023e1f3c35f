import { randomBytes } from 'node:crypto';

import {
  ActionRowBuilder,
  ButtonBuilder,
  ButtonStyle,
  InteractionContextType,
  MessageFlags,
  SlashCommandBuilder,
  type ButtonInteraction,
} from 'discord.js';

import { qualityWords } from '../../../chat/selfie-words.js';
import { faceTiles } from '../../../pipeline/face-tiles.js';
import type { FoundPhoto, PersonRef, SelfieOutcome } from '../../../services/search-service.js';
import type { OutFile } from '../album-post.js';
import { attachmentRef, downloadAttachments } from '../attachments.js';
import { deferForTenant, NO_MENTIONS, tenantOf, toPayload, type SlashCommand } from '../command.js';
import type { DiscordDeps } from '../context.js';
import { DISCORD_FILES_LIMIT, esc, failureText, plural } from '../format.js';
import { peopleLabels } from '../people-labels.js';

/** A question asked about a selfie, waiting for the asker's button press. */
interface Question {
  readonly tenant: string;
  readonly userId: string;
  readonly selfie: string;
  readonly person: PersonRef | null;
  /** For "which face?": the selfie's bytes, to search again with the chosen face. */
  readonly bytes?: Uint8Array;
  readonly expires: number;
}

/** Questions live for an hour in memory (a restart expires them); at most 200, oldest dropped first. */
const QUESTION_TTL_MS = 3600_000;
const MAX_QUESTIONS = 200;
/** Discord shows five buttons a row. */
const MAX_CHOICES = 5;
const questions = new Map<string, Question>();

function ask(q: Omit<Question, 'expires'>): string {
  const token = randomBytes(6).toString('hex');
  questions.set(token, { ...q, expires: Date.now() + QUESTION_TTL_MS });
  while (questions.size > MAX_QUESTIONS) questions.delete(questions.keys().next().value ?? '');
  return token;
}

function take(token: string): Question | null {
  const q = questions.get(token);
  if (!q || q.expires < Date.now()) {
    questions.delete(token);
    return null;
  }
  return q;
}

export const findCommand: SlashCommand = {
  data: new SlashCommandBuilder()
    .setName('find')
    .setDescription("Find a person's photos in this channel from a selfie")
    .setContexts(InteractionContextType.Guild)
    .addAttachmentOption((o) =>
      o.setName('selfie').setDescription('A photo of one face, the person to look for').setRequired(true),
    ),
  async execute(interaction, deps) {
    const tenant = await deferForTenant(interaction);
    if (!tenant) return;
    const selfie = interaction.options.getAttachment('selfie', true);
    const { uploads, failures } = await downloadAttachments([attachmentRef(selfie)]);
    const upload = uploads[0];
    if (!upload) {
      await interaction.editReply({ content: failureText(failures) });
      return;
    }
    const outcome = await deps.services.search.findBySelfie(tenant, upload.bytes);
    await interaction.editReply(
      await answerPayload(outcome, tenant, interaction.user.id, upload.bytes, deps),
    );
  },

  /** `find:<y|n|f>:<token>[:<face>]`: only the member who sent the selfie may answer. */
  async button(interaction: ButtonInteraction, deps) {
    const [, what, token = '', face] = interaction.customId.split(':');
    const q = take(token);
    const tenant = tenantOf(interaction);
    if (!q || q.tenant !== tenant) {
      await interaction.reply({
        content: 'This question has expired. Run /find again.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    if (interaction.user.id !== q.userId) {
      await interaction.reply({
        content: 'Only the member who sent the selfie can answer.',
        flags: MessageFlags.Ephemeral,
      });
      return;
    }
    questions.delete(token);
    await interaction.deferUpdate();
    if (what === 'f' && q.bytes) {
      const outcome = await deps.services.search.findBySelfie(q.tenant, q.bytes, { face: Number(face) });
      await interaction.editReply(await answerPayload(outcome, q.tenant, q.userId, q.bytes, deps));
      return;
    }
    if (!q.person) return;
    const result = await deps.services.search.answer(q.tenant, {
      selfie: q.selfie,
      person: q.person.id,
      yes: what === 'y',
      by: interaction.user.id,
    });
    const labels = await peopleLabels(deps.services, q.tenant);
    const who = esc(q.person.name ?? labels.label(q.person.id));
    if (result.status === 'no-match') {
      await interaction.editReply({
        content: what === 'y' ? `**${who}** has no photos here any more.` : 'Not them: no match, then.',
        components: [],
        files: [],
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    const files = await thumbs(result.photos, deps);
    await interaction.editReply({
      ...toPayload({
        content: `🔎 Yes, **${who}**: ${countText(result.photos.length, files.length)}.${sentIn(result.photos)}`,
        files,
      }),
      components: [],
    });
  },
};

/** " Sent in: <link> · <link>" to the messages that brought the photos shown (one link per message). */
function sentIn(photos: readonly FoundPhoto[]): string {
  const links = [
    ...new Set(
      photos.slice(0, DISCORD_FILES_LIMIT).flatMap((p) => (p.original?.link ? [p.original.link] : [])),
    ),
  ];
  return links.length === 0 ? '' : ` Sent in: ${links.join(' · ')}`;
}

async function thumbs(photos: readonly FoundPhoto[], deps: DiscordDeps): Promise<OutFile[]> {
  const files: OutFile[] = [];
  for (const [i, photo] of photos.slice(0, DISCORD_FILES_LIMIT).entries()) {
    const bytes = await deps.blobs.get(photo.thumbKey);
    if (bytes) files.push({ name: `match-${i + 1}.jpg`, data: Buffer.from(bytes) });
  }
  return files;
}

function countText(total: number, shown: number): string {
  return `${plural(total, 'photo')}${total > shown ? ` (showing the best ${shown})` : ''}`;
}

/** The reply for an outcome: text, the faces it is about, and buttons where the bot asks. */
async function answerPayload(
  outcome: SelfieOutcome,
  tenant: string,
  userId: string,
  bytes: Uint8Array,
  deps: DiscordDeps,
) {
  const none = { components: [], files: [], allowedMentions: NO_MENTIONS };
  switch (outcome.status) {
    case 'found': {
      const labels = await peopleLabels(deps.services, tenant);
      const who = esc(outcome.person.name ?? labels.label(outcome.person.id));
      const files = await thumbs(outcome.photos, deps);
      return {
        ...toPayload({
          content: `🔎 **${who}** appears in ${countText(outcome.photos.length, files.length)}.${sentIn(outcome.photos)}`,
          files,
        }),
        components: [],
      };
    }
    case 'unsure': {
      const labels = await peopleLabels(deps.services, tenant);
      const who = esc(outcome.person.name ?? labels.label(outcome.person.id));
      const theirs = outcome.person.faceKey ? await deps.blobs.get(outcome.person.faceKey) : null;
      const tiles = await faceTiles([outcome.selfie.face.crop, theirs ?? new Uint8Array()]);
      const token = ask({ tenant, userId, selfie: outcome.selfie.sha256, person: outcome.person });
      return {
        content: `Is this **${who}**? Your selfie is on the left. I am not sure, so I am asking before I show any photos.`,
        files: [{ name: 'is-this-them.jpg', attachment: Buffer.from(tiles) }],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            new ButtonBuilder().setCustomId(`find:y:${token}`).setLabel('Yes').setStyle(ButtonStyle.Primary),
            new ButtonBuilder().setCustomId(`find:n:${token}`).setLabel('No').setStyle(ButtonStyle.Secondary),
          ),
        ],
        allowedMentions: NO_MENTIONS,
      };
    }
    case 'choose-face': {
      const shown = outcome.faces.slice(0, MAX_CHOICES);
      const tiles = await faceTiles(shown.map((f) => f.crop));
      const token = ask({ tenant, userId, selfie: outcome.sha256, person: null, bytes });
      return {
        content: `I see ${outcome.faces.length} faces and none is clearly the main one. Which one should I look for? (left to right)`,
        files: [{ name: 'faces.jpg', attachment: Buffer.from(tiles) }],
        components: [
          new ActionRowBuilder<ButtonBuilder>().addComponents(
            shown.map((f, i) =>
              new ButtonBuilder()
                .setCustomId(`find:f:${token}:${f.index}`)
                .setLabel(String(i + 1))
                .setStyle(ButtonStyle.Secondary),
            ),
          ),
        ],
        allowedMentions: NO_MENTIONS,
      };
    }
    default:
      return { ...none, content: notFoundText(outcome) };
  }
}

export function notFoundText(
  outcome: Extract<SelfieOutcome, { status: 'no-match' | 'no-face' | 'poor-quality' }>,
): string {
  switch (outcome.status) {
    case 'no-match':
      return 'No match: this person is in none of the photos of this channel.';
    case 'no-face':
      return 'I see no face in that photo. Try a selfie that shows one face clearly.';
    case 'poor-quality':
      return `The face is too unclear to search with (${qualityWords(outcome.reasons)}). Try a sharper, front-facing photo.`;
  }
}
