export interface ConvertOptions {
  /** Source tensor name → ONNX name (inputs and outputs); unlisted names are kept. */
  rename?: Readonly<Record<string, string>>;
  /** ONNX graph name. */
  graphName?: string;
}

/** A graph input or output of the converted model. */
export interface TensorInfo {
  /** Name in the ONNX graph. */
  name: string;
  /** Name in the source model (TF node name, Keras layer name). */
  tfName: string;
  /** Static NHWC shape as in the source; -1 = dynamic batch. */
  shape: number[];
}

export interface ConversionReport {
  sourceFormat: 'tfjs' | 'h5';
  /** Source op (TF) or layer class (Keras) → count, over the nodes the outputs depend on. */
  ops: Record<string, number>;
  /** Float parameters written as initializers. */
  parameters: number;
  /** Weights that were stored quantised and expanded to float32. */
  quantisedWeights: number;
  /** sha256 of the source file that was read (model.json or .h5). */
  sourceSha256: string;
}

export interface ConversionResult {
  /** Serialised ONNX ModelProto (opset 13). */
  bytes: Uint8Array;
  inputs: TensorInfo[];
  outputs: TensorInfo[];
  report: ConversionReport;
}
