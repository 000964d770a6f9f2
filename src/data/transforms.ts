import { ValueError, ShapeError, fmtShape } from '../errors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Subtracts the mean and divides by the standard deviation of each feature, both learned by fit() on training data only. */
export class StandardScaler {
  mean: Tensor | null = null;
  std: Tensor | null = null;

  fit(x: Tensor): this {
    if (x.ndim !== 2) throw new ShapeError(`StandardScaler.fit: expected [samples, features], got ${fmtShape(x.shape)}`);
    this.mean = x.mean(0, { keepdim: true });
    const std = x.std(0, { keepdim: true, correction: 0 });
    this.std = std.maskedFill(std.eq(0), 1); // a constant feature stays as it is
    return this;
  }

  transform(x: Tensor): Tensor {
    if (!this.mean || !this.std) throw new ValueError('StandardScaler.transform: call fit() first (on the training data)');
    if (x.ndim !== 2 || x.shape[1] !== this.mean.shape[1]) throw new ShapeError(`StandardScaler.transform: expected [samples, ${this.mean.shape[1]}], got ${fmtShape(x.shape)}`);
    return x.sub(this.mean).div(this.std);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }
}

/** Scales each feature to [0, 1] using the training data's minimum and maximum. */
export class MinMaxScaler {
  min: Tensor | null = null;
  range: Tensor | null = null;

  fit(x: Tensor): this {
    if (x.ndim !== 2) throw new ShapeError(`MinMaxScaler.fit: expected [samples, features], got ${fmtShape(x.shape)}`);
    this.min = x.amin(0, { keepdim: true });
    const range = x.amax(0, { keepdim: true }).sub(this.min);
    this.range = range.maskedFill(range.eq(0), 1);
    return this;
  }

  transform(x: Tensor): Tensor {
    if (!this.min || !this.range) throw new ValueError('MinMaxScaler.transform: call fit() first (on the training data)');
    return x.sub(this.min).div(this.range);
  }

  fitTransform(x: Tensor): Tensor {
    return this.fit(x).transform(x);
  }
}
