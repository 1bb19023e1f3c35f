/**
 * The only thing a pipeline stage knows about a neural network: named float32 tensors in, named
 * float32 tensors out. The onnxruntime adapter implements it; stages never import onnxruntime.
 */
export interface Tensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface TensorModel {
  /** Manifest name of the model, e.g. `det_500m`. */
  readonly name: string;
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Readonly<Record<string, Tensor>>): Promise<Record<string, Tensor>>;
  dispose(): Promise<void>;
}
