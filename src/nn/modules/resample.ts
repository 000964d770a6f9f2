import type { Tensor } from '../../tensor/tensor.js';
import { type InterpolateOptions, interpolate, pixelShuffle, pixelUnshuffle } from '../functional/index.js';
import { Module } from '../module.js';
import { optionsRepr } from './repr.js';

/** nn.Upsample: F.interpolate as a layer (nearest by default; linear, bilinear, trilinear). */
export class Upsample extends Module {
  constructor(readonly options: InterpolateOptions) {
    super();
  }
  forward(x: Tensor): Tensor {
    return interpolate(x, this.options);
  }
  override extraRepr(): string {
    return optionsRepr(this.options);
  }
}

/** [N, C·r², H, W] → [N, C, H·r, W·r]. */
export class PixelShuffle extends Module {
  constructor(readonly upscaleFactor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return pixelShuffle(x, this.upscaleFactor);
  }
  override extraRepr(): string {
    return `upscaleFactor=${this.upscaleFactor}`;
  }
}

/** [N, C, H·r, W·r] → [N, C·r², H, W]. */
export class PixelUnshuffle extends Module {
  constructor(readonly downscaleFactor: number) {
    super();
  }
  forward(x: Tensor): Tensor {
    return pixelUnshuffle(x, this.downscaleFactor);
  }
  override extraRepr(): string {
    return `downscaleFactor=${this.downscaleFactor}`;
  }
}
