/**
 * explain: attributions for any differentiable model, with Captum's definitions — saliency,
 * input × gradient, integrated gradients, SmoothGrad, Grad-CAM, occlusion — permutation importance
 * for tabular models, and per-head attention weights. These run the user's model, so they check
 * their own arguments rather than being guarded.
 */
export { saliency, inputXGradient, type SaliencyOptions } from './gradients.js';
export {
  integratedGradients,
  type IntegratedGradientsOptions,
  type IntegratedGradientsResult,
} from './integrated-gradients.js';
export { integrationPoints, gaussLegendre, type IntegrationMethod } from './quadrature.js';
export { smoothGrad, type SmoothGradOptions, type AttributionMethod } from './smooth-grad.js';
export { gradCam, type GradCamOptions } from './grad-cam.js';
export { occlusion, type OcclusionOptions } from './occlusion.js';
export { permutationImportance, type PermutationImportance, type PermutationImportanceOptions } from './permutation.js';
export { attentionWeights, type AttentionRecord } from './attention.js';
export type { Forward, Target, TargetOptions } from './target.js';
