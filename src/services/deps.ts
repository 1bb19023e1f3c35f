import type { SearchThresholds } from '../core/manifest.js';
import type { BlobStore } from '../ports/blob-store.js';
import type { MetadataStore } from '../ports/metadata-store.js';
import type { PhotoAnalyzer } from '../ports/photo-analyzer.js';
import type { VectorIndex } from '../ports/vector-index.js';

/** What the services need to know of the model pack: its name, dimension and calibrated thresholds. */
export interface PackInfo {
  readonly name: string;
  readonly dim: number;
  readonly thresholds: {
    /** Cosine at which two faces are the same person (a pair decision, not search). */
    readonly match: number;
    /** The selfie-against-people decision (pipeline/identify.ts). */
    readonly search: SearchThresholds;
    /** Cosine at which faces are neighbours when grouping. */
    readonly cluster: number;
    readonly qualityIndex: number;
    readonly qualitySearch: number;
  };
}

/** The ports every photo service works through; entry points build them (src/app/create-app.ts). */
export interface ServiceDeps {
  readonly blobs: BlobStore;
  readonly index: VectorIndex;
  readonly metadata: MetadataStore;
  readonly pack: PackInfo;
  readonly now?: () => Date;
}

export interface AnalyzingDeps extends ServiceDeps {
  readonly analyzer: PhotoAnalyzer;
}
