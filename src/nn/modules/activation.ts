// Layers call the public (guarded) functional forms, so an ONNX export trace sees each call.
import * as F from '../functional/index.js';
import { ValueError } from '../../errors.js';
import { full, zeros } from '../../tensor/create.js';
import { Parameter } from '../parameter.js';
import type { Tensor } from '../../tensor/tensor.js';
import { Module } from '../module.js';

export class ReLU extends Module {
  forward(x: Tensor): Tensor {
    return F.relu(x);
  }
}

export class LeakyReLU extends Module {
  constructor(readonly negativeSlope = 0.01) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.leakyRelu(x, this.negativeSlope);
  }
  override extraRepr(): string {
    return `negativeSlope=${this.negativeSlope}`;
  }
}

export class ELU extends Module {
  constructor(readonly alpha = 1) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.elu(x, this.alpha);
  }
}

export class SELU extends Module {
  forward(x: Tensor): Tensor {
    return F.selu(x);
  }
}

export class GELU extends Module {
  constructor(readonly options: { approximate?: 'none' | 'tanh' } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.gelu(x, this.options);
  }
}

/** SiLU, also called Swish: x·σ(x). */
export class SiLU extends Module {
  forward(x: Tensor): Tensor {
    return F.silu(x);
  }
}
export { SiLU as Swish };

export class Sigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.sigmoid(x);
  }
}

export class Tanh extends Module {
  forward(x: Tensor): Tensor {
    return F.tanh(x);
  }
}

export class Softplus extends Module {
  constructor(readonly options: { beta?: number; threshold?: number } = {}) {
    super();
  }
  forward(x: Tensor): Tensor {
    return F.softplus(x, this.options);
  }
}

export class Softmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.softmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

export class LogSoftmax extends Module {
  constructor(readonly dim: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return x.logSoftmax(this.dim);
  }
  override extraRepr(): string {
    return `dim=${this.dim}`;
  }
}

// Layers of the op table's newer activations (src/ops/F.ts), PyTorch's names and arguments.

/** Mish: x·tanh(softplus(x)). */
export class Mish extends Module {
  forward(x: Tensor): Tensor {
    return F.mish(x);
  }
}

/** Clamps into [minVal, maxVal] (default [-1, 1]). */
export class Hardtanh extends Module {
  constructor(
    readonly minVal = -1,
    readonly maxVal = 1,
  ) {
    super();
    F.hardtanh(zeros([0]), minVal, maxVal); // checks the bounds now rather than at the first forward
  }
  forward(x: Tensor): Tensor {
    return F.hardtanh(x, this.minVal, this.maxVal);
  }
  override extraRepr(): string {
    return `minVal=${this.minVal}, maxVal=${this.maxVal}`;
  }
}

/** min(max(x, 0), 6). */
export class ReLU6 extends Module {
  forward(x: Tensor): Tensor {
    return F.relu6(x);
  }
}

/** relu6(x + 3) / 6. */
export class Hardsigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.hardsigmoid(x);
  }
}

/** x·relu6(x + 3) / 6. */
export class Hardswish extends Module {
  forward(x: Tensor): Tensor {
    return F.hardswish(x);
  }
}

/** log σ(x). */
export class LogSigmoid extends Module {
  forward(x: Tensor): Tensor {
    return F.logsigmoid(x);
  }
}

/** x / (1 + |x|). */
export class Softsign extends Module {
  forward(x: Tensor): Tensor {
    return F.softsign(x);
  }
}

/** PReLU: a learnable slope for negative inputs, shared (numParameters 1) or one per channel. */
export class PReLU extends Module {
  readonly weight: Parameter;
  /** How many slopes (PyTorch's num_parameters; `numParameters()` is Module's parameter count). */
  readonly slopes: number;
  constructor(numParameters = 1, init = 0.25) {
    super();
    if (!Number.isInteger(numParameters) || numParameters < 1)
      throw new ValueError(`PReLU: numParameters must be a positive integer, got ${numParameters}`);
    this.slopes = numParameters;
    this.weight = this.registerParameter('weight', new Parameter(full([numParameters], init)));
  }
  forward(x: Tensor): Tensor {
    return F.prelu(x, this.weight);
  }
  override extraRepr(): string {
    return `numParameters=${this.slopes}`;
  }
}
