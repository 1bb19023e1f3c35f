/**
 * How people are called in a channel: their name, else their handle "#N", given once when the person
 * first appeared and never reused (so a number in an old message still means the same person), the
 * number `/forget person`, `/name` and `/person` take.
 */
import type { PersonSummary } from '../../services/people-service.js';
import type { DiscordServices } from './context.js';

export interface PeopleLabels {
  readonly people: readonly PersonSummary[];
  /** The person's handle, or null for someone not (or no longer) listed. */
  number(id: string): number | null;
  label(id: string): string;
  /** The person with that handle (among the people listed now). */
  byNumber(n: number): PersonSummary | null;
}

export async function peopleLabels(services: DiscordServices, tenant: string): Promise<PeopleLabels> {
  const people = await services.people.listPeople(tenant);
  const byId = new Map(people.map((p) => [p.id, p]));
  return {
    people,
    number: (id) => byId.get(id)?.handle ?? null,
    label(id) {
      const person = byId.get(id);
      return person?.name ?? (person ? `#${person.handle}` : 'someone');
    },
    byNumber: (n) => people.find((p) => p.handle === n) ?? null,
  };
}
