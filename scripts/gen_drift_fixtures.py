#!/usr/bin/env python3
"""Writes test/fixtures/drift.json: two-sample statistics computed by SciPy (Debian's python3-scipy)
for test/monitor.test.ts — ks_2samp (asymptotic), chisquare, wasserstein_distance, jensenshannon,
and chi-square survival values. Dev-only, run with /usr/bin/python3."""
import json, os
import numpy as np
from scipy import stats
from scipy.spatial.distance import jensenshannon

rng = np.random.default_rng(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'drift.json')
cases = []
for n1, n2, shift, scale in [(200, 150, 0.0, 1.0), (300, 100, 0.3, 1.0), (500, 400, 0.0, 1.4), (80, 60, 1.0, 1.0), (1000, 50, 0.1, 1.0)]:
    a = rng.normal(0, 1, n1)
    b = rng.normal(shift, scale, n2)
    ks = stats.ks_2samp(a, b, method='asymp')
    cases.append(dict(a=a.tolist(), b=b.tolist(), ks=dict(statistic=float(ks.statistic), pValue=float(ks.pvalue)),
                      wasserstein=float(stats.wasserstein_distance(a, b))))
chi = []
for ref, cur in [([30, 50, 20], [10, 25, 15]), ([100, 100, 100, 100], [40, 20, 25, 15]), ([5, 90, 5], [1, 96, 3])]:
    r = np.array(ref, float); c = np.array(cur, float)
    res = stats.chisquare(c, r / r.sum() * c.sum())
    chi.append(dict(reference=ref, current=cur, statistic=float(res.statistic), pValue=float(res.pvalue),
                    jensenshannon=float(jensenshannon(r / r.sum(), c / c.sum()))))
survival = [dict(x=x, df=df, p=float(stats.chi2.sf(x, df))) for x, df in [(0.5, 1), (3.84, 1), (10.0, 3), (25.0, 10), (100.0, 50), (1e-3, 2), (60.0, 4)]]
with open(OUT, 'w') as f:
    json.dump(dict(generator=f'SciPy {__import__("scipy").__version__}', samples=cases, chisquare=chi, chi2sf=survival), f)
print(f'wrote {OUT}')
