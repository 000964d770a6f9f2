/**
 * Typed errors. Every message names the operation, the shapes or values involved and what was
 * expected, so a user can find the mistake without a debugger.
 */
export class AxonError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** Shapes that do not fit together (broadcasting, matmul, reshape, cat, ...). */
export class ShapeError extends AxonError {}
/** A dtype an operation does not accept (e.g. gradients of integer tensors). */
export class DTypeError extends AxonError {}
/** An argument outside its allowed values (negative size, bad option, ...). */
export class ValueError extends AxonError {}
/** A dimension or an index out of range. */
export class IndexError extends AxonError {}
/** Misuse of automatic differentiation (second backward through a released graph, ...). */
export class AutogradError extends AxonError {}
/** A backend that is unknown or cannot run here. */
export class BackendError extends AxonError {}
/** A file or buffer whose content does not follow its format. */
export class FormatError extends AxonError {}

/** An ONNX model Axon cannot read, check or run (bad graph, unsupported op, bad tensor data). */
export class OnnxError extends FormatError {}

/** A file that cannot be written (missing directory, no permission, disk full). */
export class IOError extends AxonError {}

/** Formats a shape the way messages show it: [2, 3]. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

/** A collective failed or could not start: a peer left, timed out, or the group is not set up. */
export class DistributedError extends AxonError {}
