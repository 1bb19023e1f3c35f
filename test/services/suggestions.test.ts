/**
 * "Is this Anna?" after an album, on the real models: two photos of Lance Armstrong (LFW 0014 and 0017,
 * cosine 0.41 with the `local` pack) fall under the grouping's bar (0.45) but inside the search's
 * "unsure" band (0.39..0.51), so the second album's Lance is a person of their own and the chat is asked
 * about the named one. Yes merges (and Undo splits them again); No is remembered.
 */
import { describe, expect, it } from 'vitest';

import { uploads, useHarness } from '../jobs/support/harness.js';
import { FR } from '../support/albums.js';

const T = 'tg-4104';
const LANCE_A = 'lfw/Lance_Armstrong/Lance_Armstrong_0014.jpg';
const LANCE_B = 'lfw/Lance_Armstrong/Lance_Armstrong_0017.jpg';

describe('suggestions after an album', () => {
  const h = useHarness();

  async function run(paths: string[]) {
    const { albumId } = await h.services.photos.submitAlbum(T, await uploads(...paths));
    await h.waitForAlbum(T, albumId);
    const result = (await h.services.photos.albumResult(T, albumId))!;
    const personOf = (name: string) => result.photos.find((p) => p.path === name)!.faces[0]!.personId!;
    return { result, personOf };
  }

  it('asks about an unnamed person close to a named one; yes merges, undo and no are remembered', async () => {
    const first = await run([LANCE_A, `${FR}/obama.jpg`]);
    const lance = first.personOf(LANCE_A);
    const obama = first.personOf(`${FR}/obama.jpg`);
    // Nobody is named yet: nothing to suggest.
    expect(await h.services.people.suggestions(T, first.result)).toEqual([]);
    await h.services.people.namePerson(T, lance, 'Lance');
    await h.services.people.namePerson(T, obama, 'Barack');

    const second = await run([LANCE_B, `${FR}/biden.jpg`]);
    const other = second.personOf(LANCE_B);
    expect(other).not.toBe(lance);
    const suggestions = await h.services.people.suggestions(T, second.result);
    // Biden is nobody's near-miss: only the second Lance is asked about, against the named Lance.
    expect(suggestions).toHaveLength(1);
    const [s] = suggestions;
    expect(s).toMatchObject({ personId: other, candidateId: lance, candidateName: 'Lance' });
    const t = h.pack.spec.thresholds.search;
    expect(s!.score).toBeGreaterThanOrEqual(t.unsure);
    expect(s!.score).toBeLessThan(t.sure);
    // Both faces are there to show side by side.
    expect(await h.stores.blobs.head(s!.faceKey)).not.toBeNull();
    expect(await h.stores.blobs.head(s!.candidateFaceKey!)).not.toBeNull();

    // Yes: one person, named Lance; the question is gone.
    const yes = await h.services.people.answerSuggestion(T, {
      personId: other,
      candidateId: lance,
      yes: true,
    });
    expect(yes).toEqual({ answer: 'merged', merge: { kept: lance, merged: other } });
    expect((await h.services.people.findPerson(T, other))?.name).toBe('Lance');
    expect(await h.services.people.suggestions(T, second.result)).toEqual([]);

    // Undo: the second Lance is on their own again, and asked about again.
    await h.services.people.undoMerge(T, other);
    expect((await h.services.people.suggestions(T, second.result)).map((x) => x.personId)).toEqual([other]);
    // A person an admin hid is not asked about.
    await h.services.people.hidePerson(T, other, true);
    expect(await h.services.people.suggestions(T, second.result)).toEqual([]);
    await h.services.people.hidePerson(T, other, false);

    // No: kept apart for good, never asked again (also after the next album), and the grouping respects it.
    const no = await h.services.people.answerSuggestion(T, {
      personId: other,
      candidateId: lance,
      yes: false,
    });
    expect(no).toEqual({ answer: 'kept-apart', personId: other, candidateId: lance });
    expect(await h.services.people.suggestions(T, second.result)).toEqual([]);
    const links = await h.stores.metadata.listCannotLinks(T);
    expect(links.filter((l) => l.personId === lance).length).toBeGreaterThan(0);
    const third = await run(['face_recognition/tests/test_images/obama3.jpg']);
    expect(third.personOf('face_recognition/tests/test_images/obama3.jpg')).toBe(obama);
    expect(await h.services.people.suggestions(T, second.result)).toEqual([]);
    expect((await h.services.people.findPerson(T, other))?.name).toBeNull();
  }, 120_000);
});
