/** Words about selfies shared by every chat surface (Telegram, Discord). */

/** Quality reasons from the pipeline (small, blurry, profile, …) as plain words. */
export function qualityWords(reasons: readonly string[]): string {
  const words: Record<string, string> = {
    small: 'the face is small',
    blurry: 'it is blurred',
    profile: 'the face is turned away',
    tilted: 'the head is tilted',
    'low-confidence': 'it is hard to tell it is a face',
    pitched: 'the head is tipped up or down',
    partial: 'part of the face is cut off',
  };
  return reasons.map((r) => words[r] ?? r).join(', ') || 'low quality';
}
