import { OnnxError } from '../../errors.js';
import { Tensor } from '../../tensor/tensor.js';
import type { Attributes } from '../attributes.js';
import type { GraphProto } from '../proto/onnx_pb.js';
import { type Value, asTensor, describeValue } from '../value.js';

/** What an op implementation sees of the node it runs. */
export interface OpContext {
  readonly opType: string;
  /** `Conv node 'conv1'`, for messages. */
  readonly where: string;
  /** The opset version the model imports for the node's domain. */
  readonly opset: number;
  readonly attrs: Attributes;
  readonly inputs: readonly Value[];
  /** How many outputs the node names (some ops compute optional outputs only when asked). */
  readonly outputCount: number;
  /** The module's train()/eval() mode: Dropout and BatchNormalization follow it. */
  readonly training: boolean;
  /** Runs a subgraph attribute (If, Loop, Scan) with the given values bound to its inputs. */
  runSubgraph(graph: GraphProto, inputs: Value[]): Value[];
  /** Computes a value of the enclosing graph again with some values replaced (for Gradient). */
  recompute(name: string, overrides: ReadonlyMap<string, Value>): Value;
}

export type OpImpl = (ctx: OpContext) => Value | Value[];

export interface OpDef {
  impl: OpImpl;
  /** False for ops whose result is not a function of their inputs (random, training mode): never folded. */
  pure: boolean;
  /** The first opset this implementation covers (older versions had other semantics). */
  since: number;
}

const REGISTRY = new Map<string, OpDef>();

/** ONNX's default domain is written '' or 'ai.onnx'. */
export function domainKey(domain: string | undefined): string {
  return domain === 'ai.onnx' || domain === undefined ? '' : domain;
}

/** Registers implementations for a domain: `defineOps('', { Relu: (ctx) => ... })`. */
export function defineOps(domain: string, defs: Record<string, OpImpl | (Partial<OpDef> & { impl: OpImpl })>): void {
  for (const [name, def] of Object.entries(defs)) {
    const full = typeof def === 'function' ? { impl: def } : def;
    REGISTRY.set(`${domainKey(domain)}::${name}`, { pure: true, since: 1, ...full });
  }
}

export function lookupOp(domain: string, opType: string): OpDef | undefined {
  return REGISTRY.get(`${domainKey(domain)}::${opType}`);
}

/** Every registered op type, as `domain::Op` ('' for the default domain), sorted. */
export function supportedOps(): string[] {
  return [...REGISTRY.keys()].sort();
}

// ---- helpers the implementations share -------------------------------------------------------

/** Input i, which must be a tensor. */
export function input(ctx: OpContext, i: number): Tensor {
  const v = ctx.inputs[i];
  if (v === undefined) throw new OnnxError(`${ctx.where}: input ${i} is required`);
  return asTensor(v, `${ctx.where}: input ${i}`);
}

/** Input i if the node gives it (an empty name omits an optional input). */
export function optionalInput(ctx: OpContext, i: number): Tensor | undefined {
  const v = ctx.inputs[i];
  return v === undefined ? undefined : asTensor(v, `${ctx.where}: input ${i}`);
}

/** The integer values of input i (shapes, axes, pads), or undefined when omitted. */
export function intsInput(ctx: OpContext, i: number): number[] | undefined {
  const t = optionalInput(ctx, i);
  if (!t) return undefined;
  if (t.dtype !== 'int32' || t.ndim > 1)
    throw new OnnxError(`${ctx.where}: input ${i} should be a 1-D integer tensor, got ${describeValue(t)}`);
  return Array.from(t.contiguous().toTypedArray());
}

/** The number a scalar (or one-element) input holds. */
export function scalarInput(ctx: OpContext, i: number): number | undefined {
  const t = optionalInput(ctx, i);
  if (!t) return undefined;
  if (t.numel !== 1) throw new OnnxError(`${ctx.where}: input ${i} should hold one value, got ${describeValue(t)}`);
  return t.contiguous().toTypedArray()[0]!;
}

/** An axis in [-rank, rank) made non-negative, or an OnnxError. */
export function normAxis(ctx: OpContext, axis: number, rank: number, name = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank)
    throw new OnnxError(`${ctx.where}: ${name} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

export function fail(ctx: OpContext, message: string): never {
  throw new OnnxError(`${ctx.where}: ${message}`);
}

export function isTensor(v: Value): v is Tensor {
  return v instanceof Tensor;
}
