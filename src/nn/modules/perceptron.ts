import { noGrad } from '../../autograd/grad-mode.js';
import { ShapeError, fmtShape } from '../../errors.js';
import { zeros } from '../../tensor/create.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';
import { Parameter } from '../parameter.js';

/**
 * Rosenblatt's perceptron, the teaching example: y = step(w·x + b) with labels 0/1, trained by
 * the perceptron learning rule w ← w + lr·(y - ŷ)·x, one sample at a time — no gradients involved.
 */
export class Perceptron extends Module {
  readonly weight: Parameter;
  readonly bias: Parameter;

  constructor(readonly inFeatures: number) {
    super();
    this.weight = this.registerParameter('weight', new Parameter(zeros([inFeatures]), false));
    this.bias = this.registerParameter('bias', new Parameter(zeros([]), false));
  }

  /** The raw activation w·x + b for x [N, inFeatures] (or one sample [inFeatures]). */
  forward(x: Tensor): Tensor {
    if (x.shape[x.ndim - 1] !== this.inFeatures)
      throw new ShapeError(`Perceptron: expected input [..., ${this.inFeatures}], got ${fmtShape(x.shape)}`);
    return x.matmul(this.weight).add(this.bias);
  }

  /** 1 where w·x + b > 0, else 0 (int32). */
  predict(x: Tensor): Tensor {
    return noGrad(() => this.forward(x).gt(0).int());
  }

  /** Runs the learning rule over x [N, F], y [N] (0/1) for some epochs; returns mistakes per epoch. */
  fit(x: Tensor, y: Tensor, options: { epochs?: number; lr?: number } = {}): number[] {
    const epochs = options.epochs ?? 10,
      lr = options.lr ?? 1;
    if (x.ndim !== 2 || y.ndim !== 1 || y.shape[0] !== x.shape[0])
      throw new ShapeError(
        `Perceptron.fit: expected x [N, ${this.inFeatures}] and y [N], got ${fmtShape(x.shape)} and ${fmtShape(y.shape)}`,
      );
    const labels = y.toArray() as number[];
    const mistakes: number[] = [];
    noGrad(() => {
      for (let e = 0; e < epochs; e++) {
        let wrong = 0;
        for (let i = 0; i < labels.length; i++) {
          const xi = x.select(0, i);
          const predicted = this.forward(xi).item() > 0 ? 1 : 0;
          const err = labels[i]! - predicted;
          if (err !== 0) {
            wrong++;
            this.weight.add_(xi.mul(lr * err));
            this.bias.add_(lr * err);
          }
        }
        mistakes.push(wrong);
        if (wrong === 0) break;
      }
    });
    return mistakes;
  }
}
