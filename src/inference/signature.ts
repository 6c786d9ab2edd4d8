/**
 * Check that a loaded ONNX session has the inputs and outputs the manifest declares: names in
 * order, rank, and every fixed dimension. Symbolic dimensions (e.g. "batch") match any value.
 */
import type { TensorSpec } from '../models/manifest';

/** The parts of an onnxruntime session this check reads. */
export interface SessionSignature {
  inputNames: readonly string[];
  outputNames: readonly string[];
  inputMetadata?: readonly SessionValueMetadata[];
  outputMetadata?: readonly SessionValueMetadata[];
}

export interface SessionValueMetadata {
  name: string;
  isTensor: boolean;
  shape?: ReadonlyArray<number | string>;
}

function describeShape(shape: ReadonlyArray<number | string>): string {
  return `[${shape.join(', ')}]`;
}

function compareSide(
  side: 'input' | 'output',
  declared: readonly TensorSpec[],
  names: readonly string[],
  metadata: readonly SessionValueMetadata[] | undefined,
): string[] {
  const problems: string[] = [];
  const declaredNames = declared.map((spec) => spec.name);
  if (declaredNames.join(',') !== names.join(',')) {
    problems.push(
      `${side}s are [${names.join(', ')}], the manifest says [${declaredNames.join(', ')}]`,
    );
    return problems;
  }
  for (const spec of declared) {
    const meta = metadata?.find((entry) => entry.name === spec.name);
    // Older bindings expose no metadata, and an unknown shape is an empty array: names only then.
    if (!meta || !meta.isTensor || !meta.shape || meta.shape.length === 0) continue;
    const actual = meta.shape;
    const mismatch =
      actual.length !== spec.shape.length ||
      spec.shape.some(
        (dim, i) => typeof dim === 'number' && typeof actual[i] === 'number' && actual[i] !== dim,
      );
    if (mismatch) {
      problems.push(
        `${side} "${spec.name}" has shape ${describeShape(actual)}, the manifest says ${describeShape(spec.shape)}`,
      );
    }
  }
  return problems;
}

/** Every difference between a session and the manifest's declaration (empty when they agree). */
export function signatureProblems(
  session: SessionSignature,
  inputs: readonly TensorSpec[],
  outputs: readonly TensorSpec[],
): string[] {
  return [
    ...compareSide('input', inputs, session.inputNames, session.inputMetadata),
    ...compareSide('output', outputs, session.outputNames, session.outputMetadata),
  ];
}
