/**
 * Stamped on every indexed face and album result. Bump it when a stage changes what it writes
 * (crops, fusion, thresholds), so stored faces are re-indexed rather than compared across versions.
 */
export const PIPELINE_VERSION = 2;
