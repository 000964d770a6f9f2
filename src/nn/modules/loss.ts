import type { Tensor } from '../../tensor/tensor.js';
import * as L from '../functional/losses.js';
import { Module } from '../module.js';

// Module forms of the losses: the options given at construction apply at every call.

export class MSELoss extends Module {
  constructor(readonly options: L.LossOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.mseLoss(input, target, this.options);
  }
}

export class L1Loss extends Module {
  constructor(readonly options: L.LossOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.l1Loss(input, target, this.options);
  }
}

export class SmoothL1Loss extends Module {
  constructor(readonly options: L.LossOptions & { beta?: number } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.smoothL1Loss(input, target, this.options);
  }
}

export class HuberLoss extends Module {
  constructor(readonly options: L.LossOptions & { delta?: number } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.huberLoss(input, target, this.options);
  }
}

export class BCELoss extends Module {
  constructor(readonly options: L.LossOptions & { weight?: Tensor | null } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: L.LossOptions & { weight?: Tensor | null; posWeight?: Tensor | null } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly options: L.CrossEntropyOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: L.NllOptions = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.nllLoss(input, target, this.options);
  }
}

export class HingeEmbeddingLoss extends Module {
  constructor(readonly options: L.LossOptions & { margin?: number } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.hingeEmbeddingLoss(input, target, this.options);
  }
}

export class MultiMarginLoss extends Module {
  constructor(readonly options: L.LossOptions & { p?: 1 | 2; margin?: number; weight?: Tensor | null } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.multiMarginLoss(input, target, this.options);
  }
}

export class KLDivLoss extends Module {
  constructor(readonly options: { reduction?: L.Reduction | 'batchmean'; logTarget?: boolean } = {}) {
    super();
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return L.klDiv(input, target, this.options);
  }
}

export class CosineEmbeddingLoss extends Module {
  constructor(readonly options: L.LossOptions & { margin?: number } = {}) {
    super();
  }
  forward(x1: Tensor, x2: Tensor, target: Tensor): Tensor {
    return L.cosineEmbeddingLoss(x1, x2, target, this.options);
  }
}
