import type { Box, Landmarks } from '../core/types.js';

/** A decoded, not yet validated detection, in the coordinates of whatever it was decoded in. */
export interface Candidate {
  readonly box: Box;
  readonly score: number;
  readonly landmarks: Landmarks;
}
