import type { DetectorFile, ObjectsFile, RecognizerFile, ResolvedPack } from '../core/manifest.js';
import type { TensorModel } from './tensor-model.js';

/** A loaded model together with its manifest entry (preprocessing and decoding). */
export interface DetectorModel {
  readonly model: TensorModel;
  readonly spec: DetectorFile & { readonly id: string };
}

export interface RecognizerModel {
  readonly model: TensorModel;
  readonly spec: RecognizerFile & { readonly id: string; readonly weight: number };
}

/** The scene-object detector and its manifest entry. */
export interface ObjectsModel {
  readonly model: TensorModel;
  readonly spec: ObjectsFile & { readonly id: string };
}

/** Everything a pack needs at run time. */
export interface PackModels {
  readonly pack: ResolvedPack;
  readonly detector: DetectorModel;
  readonly fallback: DetectorModel | null;
  readonly recognizers: readonly RecognizerModel[];
  /** Scene objects for the post; absent or null when the manifest names none or its file is missing. */
  readonly objects?: ObjectsModel | null;
}
