/**
 * "Find me in the photos": one selfie in, one of three answers out, the same for every surface (Telegram,
 * Discord, the HTTP API; the CLI's `faceblog find` runs the same decision over an album folder):
 * - found: the selfie is clearly one person of the chat: their photos, best first;
 * - unsure: it may be someone: the caller asks ("Is this Anna?") and calls `answer` with the reply;
 * - no-match: nobody of the chat.
 * The decision (pipeline/identify.ts) scores the chat's *people*, never single faces, with the pack's
 * search thresholds; faces that belong to nobody never make a selfie found. Searches only the asking
 * chat's faces of the current pack (the index enforces both).
 */
import type { PhotoMessage, PhotoOriginal } from '../core/album.js';
import { faceKey, thumbKey } from '../core/keys.js';
import type { Box, Face } from '../core/types.js';
import { chooseSelfieFace, cosine, identify, type KnownPerson, personScore } from '../pipeline/identify.js';
import type { PersonRecord, PhotoRecord } from '../ports/metadata-store.js';
import type { AnalyzingDeps } from './deps.js';
import { CANDIDATE_SLACK, type FaceWithVector, facesOfPerson, nearPeople } from './near-people.js';
import { readAlbumMessages } from './photo-service.js';
import { repeatedShots } from './same-shot.js';

export interface FoundPhoto {
  readonly sha256: string;
  /** The original and its thumbnail in the blob store. */
  readonly blobKey: string;
  readonly thumbKey: string;
  /** Cosine between the selfie and the person's face in this photo, -1..1. */
  readonly similarity: number;
  /** The chat's own reference to the original (resend it, link its message); absent for CLI/API albums. */
  readonly original?: PhotoOriginal;
}

/** A person as a message shows them: name (or none yet) and the blob key of their cover face crop. */
export interface PersonRef {
  readonly id: string;
  readonly name: string | null;
  /** The chat's handle ("#7"); null for a record saved before handles. */
  readonly handle: number | null;
  /** Tight crop of the person's best face (pipeline/face-crop.ts), or null when none is stored. */
  readonly faceKey: string | null;
}

/** A face of the selfie, with a tight crop to show it (buttons, "is this them?" prompts). */
export interface SelfieFace {
  /** Position among the selfie's detected faces: what `findBySelfie(…, { face })` takes. */
  readonly index: number;
  readonly box: Box;
  readonly quality: number;
  /** JPEG crop of this face. */
  readonly crop: Uint8Array;
}

/** The decision's answer for one embedding. */
export type EmbeddingOutcome =
  | {
      readonly status: 'found';
      readonly person: PersonRef;
      /** The person's score (pipeline/identify.ts personScore). */
      readonly score: number;
      /** Whether the chat confirmed it earlier ("Yes" to an unsure answer) rather than the decision. */
      readonly confirmed: boolean;
      readonly photos: readonly FoundPhoto[];
    }
  | { readonly status: 'unsure'; readonly person: PersonRef; readonly score: number }
  | { readonly status: 'no-match' };

export type SelfieOutcome =
  | (Exclude<EmbeddingOutcome, { status: 'no-match' }> & { readonly selfie: SelfieSummary })
  | { readonly status: 'no-match'; readonly selfie: SelfieSummary }
  /** Several faces and none dominates: which one? (buttons, or HTTP 422 with the boxes). */
  | { readonly status: 'choose-face'; readonly sha256: string; readonly faces: readonly SelfieFace[] }
  | { readonly status: 'no-face' }
  | { readonly status: 'poor-quality'; readonly reasons: readonly string[] };

/** The selfie face the answer is about. */
export interface SelfieSummary {
  /** sha256 of the selfie's bytes: the key of a stored answer. */
  readonly sha256: string;
  readonly face: SelfieFace;
}

export interface FindOptions {
  /** Which of the selfie's faces to search with (SelfieFace.index), when the user chose one. */
  readonly face?: number;
}

/** The reply to "Is this <person>?". */
export interface SearchAnswerInput {
  /** SelfieSummary.sha256 */
  readonly selfie: string;
  readonly person: string;
  readonly yes: boolean;
  /** Who pressed the button, for the record. */
  readonly by?: string;
}

export function createSearchService(deps: AnalyzingDeps) {
  const t = deps.pack.thresholds.search;
  const now = deps.now ?? (() => new Date());

  async function personRef(tenant: string, id: string, record?: PersonRecord | null): Promise<PersonRef> {
    const person = record === undefined ? await deps.metadata.getPerson(tenant, id) : record;
    const cover = person?.coverFace ? (await deps.index.get(tenant, [person.coverFace]))[0] : undefined;
    return {
      id,
      name: person?.name ?? null,
      handle: person?.handle ?? null,
      faceKey: cover ? faceKey(tenant, cover.payload.photo, cover.payload.faceIndex) : null,
    };
  }

  const facesOf = (tenant: string, person: string) => facesOfPerson(deps.index, tenant, person);

  /**
   * The chat's people near the selfie, each with all their faces: people with a face among the selfie's
   * nearest (first pass over faces) and people whose template is near it (first pass over templates),
   * both down to `floor`; the decision then scores them exactly (second pass).
   */
  async function candidates(tenant: string, selfie: Float32Array, exclude: ReadonlySet<string>) {
    const ids = await nearPeople(deps.index, tenant, selfie, await deps.metadata.personTemplates(tenant), {
      floor: t.unsure - CANDIDATE_SLACK,
      pack: deps.pack.name,
      keep: (id) => !exclude.has(id),
    });
    // Each candidate's faces, read once: they score the person and, for the one found, pick the photos.
    const faces = new Map<string, FaceWithVector[]>();
    for (const id of [...ids].sort()) faces.set(id, await facesOf(tenant, id));
    return faces;
  }

  /**
   * The photos of `person`, best first: by the selfie's similarity to their face there (or the face's
   * quality without a selfie), each picture once (a photo sent both compressed and as a file is one
   * picture: the larger copy is kept, src/services/same-shot.ts), with the chat's reference to it.
   */
  async function photosOf(
    tenant: string,
    person: string,
    selfie: Float32Array | null,
    known?: readonly FaceWithVector[],
  ): Promise<FoundPhoto[]> {
    const best = new Map<string, { score: number; face: FaceWithVector }>();
    for (const f of known ?? (await facesOf(tenant, person))) {
      const score = selfie ? cosine(selfie, f.vector) : f.payload.quality;
      const seen = best.get(f.payload.photo);
      if (!seen || score > seen.score) best.set(f.payload.photo, { score, face: f });
    }
    const records = new Map<string, PhotoRecord>();
    for (const sha256 of best.keys()) {
      const record = await deps.metadata.getPhoto(tenant, sha256);
      if (record) records.set(sha256, record);
    }
    const repeats = repeatedShots(
      [...records.values()].map((r) => {
        const face = best.get(r.sha256)?.face;
        return {
          sha256: r.sha256,
          width: r.width,
          height: r.height,
          box: face?.payload.box ?? [0, 0, 0, 0],
          vector: face?.vector ?? null,
        };
      }),
    );
    const messages = new Map<string, Readonly<Record<string, PhotoMessage>>>();
    const photos: FoundPhoto[] = [];
    for (const [sha256, record] of records) {
      if (repeats.has(sha256)) continue;
      let album = messages.get(record.albumId);
      if (!album) {
        album = await readAlbumMessages(deps.blobs, tenant, record.albumId);
        messages.set(record.albumId, album);
      }
      const original = album[record.name]?.original;
      photos.push({
        sha256,
        blobKey: record.blobKey,
        thumbKey: thumbKey(tenant, sha256),
        similarity: best.get(sha256)?.score ?? -1,
        ...(original ? { original } : {}),
      });
    }
    return photos.sort((a, b) => b.similarity - a.similarity || a.sha256.localeCompare(b.sha256));
  }

  /** The decision for one embedding, with the chat's stored answers about this selfie (when it is one). */
  async function decide(
    tenant: string,
    embedding: Float32Array,
    selfieSha: string | null,
  ): Promise<EmbeddingOutcome> {
    // Answers the chat gave about this very selfie: "no" rules a person out, "yes" settles it.
    const answers = selfieSha === null ? [] : await deps.metadata.listSearchAnswers(tenant, selfieSha);
    const no = new Set<string>();
    const yes: string[] = [];
    for (const a of answers) {
      const current = await deps.metadata.resolvePerson(tenant, a.person);
      if (current === null) continue;
      if (a.yes) yes.push(current);
      else no.add(current);
    }
    for (const current of yes) {
      if (no.has(current)) continue;
      const faces = await facesOf(tenant, current);
      const photos = await photosOf(tenant, current, embedding, faces);
      if (photos.length === 0) continue;
      const score = personScore(
        embedding,
        faces.map((f) => f.vector),
        t.topK,
      );
      return { status: 'found', person: await personRef(tenant, current), score, confirmed: true, photos };
    }

    const near = await candidates(tenant, embedding, no);
    const people: KnownPerson[] = [...near].map(([id, faces]) => ({
      id,
      vectors: faces.map((f) => f.vector),
    }));
    const decision = identify(embedding, people, t);
    if (decision.kind === 'none') return { status: 'no-match' };
    const person = await personRef(tenant, decision.best.person);
    if (decision.kind === 'unsure') return { status: 'unsure', person, score: decision.best.score };
    const photos = await photosOf(tenant, decision.best.person, embedding, near.get(decision.best.person));
    // Matches whose photos are gone (forgotten meanwhile) are no match at all.
    if (photos.length === 0) return { status: 'no-match' };
    return { status: 'found', person, score: decision.best.score, confirmed: false, photos };
  }

  function selfieFace(face: Face, index: number, crop: Uint8Array | undefined): SelfieFace {
    return { index, box: face.box, quality: face.quality.score, crop: crop ?? new Uint8Array() };
  }

  return {
    async findBySelfie(
      tenant: string,
      imageBytes: Uint8Array,
      opts: FindOptions = {},
    ): Promise<SelfieOutcome> {
      const analysis = await deps.analyzer.analyze(imageBytes, { renders: true });
      const { faces, photo } = analysis;
      const crops = analysis.renders?.crops ?? [];
      const choice = chooseSelfieFace(faces, photo.width, photo.height, opts.face);
      switch (choice.kind) {
        case 'no-face':
          return { status: 'no-face' };
        case 'choose':
          return {
            status: 'choose-face',
            sha256: photo.sha256,
            faces: faces.map((f, i) => selfieFace(f, i, crops[i])),
          };
        case 'poor':
          return { status: 'poor-quality', reasons: choice.reasons };
      }
      const { face, index: chosen } = choice;
      const selfie: SelfieSummary = { sha256: photo.sha256, face: selfieFace(face, chosen, crops[chosen]) };

      const answer = await decide(tenant, face.embedding, photo.sha256);
      return answer.status === 'no-match' ? { status: 'no-match', selfie } : { ...answer, selfie };
    },

    /**
     * The same decision for an embedding a client computed with this pack (HTTP API): no crop, and
     * answers are kept only for selfies, so nothing is remembered.
     */
    findByEmbedding: (tenant: string, embedding: Float32Array): Promise<EmbeddingOutcome> =>
      decide(tenant, embedding, null),

    /**
     * The chat's reply to an unsure answer, kept for the next search with the same selfie. Yes: the
     * person's photos; no: no match (the bot never offers the runner-up as a second guess in a group).
     */
    async answer(
      tenant: string,
      input: SearchAnswerInput,
    ): Promise<
      { status: 'found'; person: PersonRef; photos: readonly FoundPhoto[] } | { status: 'no-match' }
    > {
      const current = (await deps.metadata.resolvePerson(tenant, input.person)) ?? null;
      await deps.metadata.saveSearchAnswer(tenant, {
        selfie: input.selfie,
        person: current ?? input.person,
        yes: input.yes,
        answeredBy: input.by ?? null,
        answeredAt: now().toISOString(),
      });
      if (!input.yes || current === null) return { status: 'no-match' };
      const photos = await photosOf(tenant, current, null);
      if (photos.length === 0) return { status: 'no-match' };
      return { status: 'found', person: await personRef(tenant, current), photos };
    },

    /** A person's photos, best face first (after "Yes", or `/photos <name>`). */
    photosOf: (tenant: string, person: string) => photosOf(tenant, person, null),
  };
}

export type SearchService = ReturnType<typeof createSearchService>;
