/** monitor: reference profiles of training data and drift detection against them. */
import { guardAll } from '../guard.js';
import * as driftModule from './drift.js';
import * as profileModule from './profile.js';
import * as testsModule from './tests.js';

export type { Profile, FeatureProfile, NumericProfile, CategoricalProfile, ProfileOptions } from './profile.js';
export type { DriftReport, FeatureDrift, DriftOptions, DriftMethod } from './drift.js';
export const { profileData, saveProfile, loadProfile } = guardAll(profileModule, 'monitor.');
export const { detectDrift } = guardAll(driftModule, 'monitor.');
export const { ksTwoSample, chiSquare, wassersteinDistance, jensenShannonDistance, psi } = guardAll(
  testsModule,
  'monitor.',
);
