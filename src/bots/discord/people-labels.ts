/**
 * How people are called in a channel: their name, else "Person N" where N is their place in `/people`
 * (most faces first), the number `/forget person` and `/name` take.
 */
import type { PersonSummary } from '../../services/people-service.js';
import type { DiscordServices } from './context.js';

export interface PeopleLabels {
  readonly people: readonly PersonSummary[];
  /** 1-based number in /people, or null for someone not (or no longer) listed. */
  number(id: string): number | null;
  label(id: string): string;
  /** The person with that number. */
  byNumber(n: number): PersonSummary | null;
}

export async function peopleLabels(services: DiscordServices, tenant: string): Promise<PeopleLabels> {
  const people = await services.people.listPeople(tenant);
  const index = new Map(people.map((p, i) => [p.id, i + 1]));
  return {
    people,
    number: (id) => index.get(id) ?? null,
    label(id) {
      const n = index.get(id);
      const person = n === undefined ? undefined : people[n - 1];
      return person?.name ?? (n === undefined ? 'someone' : `Person ${n}`);
    },
    byNumber: (n) => people[n - 1] ?? null,
  };
}
