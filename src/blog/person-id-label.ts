/**
 * What an album folder calls an unnamed person ("person-3" → "Person 3"): the CLI's page and summary.
 * Its own module so that the summary does not load the post's facts (and their geocoder) to say it.
 */
export function personLabel(id: string): string {
  const m = /^person-(\d+)$/.exec(id);
  return m ? `Person ${m[1]}` : id;
}
