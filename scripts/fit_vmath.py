#!/usr/bin/env python3
"""Fits the polynomial coefficients of native/src/vmath.cc and prints their worst error in ULP,
evaluated in float32 as the kernel does (numpy; run with /usr/bin/python3 on Debian):
  e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2      (Q of degree 4: exp to 1.3 ULP)
  tanh(x) = x + x^3 P(x^2) on |x| <= 0.625    (P of degree 4: 0.9 ULP; beyond, 1 - 2/(e^2x + 1))
  erf(x) = x E(x^2) on |x| < 1                 (E of degree 6)
  erf(x) = 1 - e^(-x^2) C(x) on 1 <= |x| < 4   (C of degree 8; beyond, 1: erf to 2.3 ULP)
Weighted least squares on Chebyshev nodes, weighted for relative error (for erf's tail: absolute
error of 1 - erf). The erf error is measured with the kernel's fused multiply-adds emulated."""
from math import erf, erfc

import numpy as np

half_ln2 = np.log(2) / 2
r = np.cos(np.linspace(0, np.pi, 4000)) * half_ln2
r = r[np.abs(r) > 1e-4]
w = r**2 / np.exp(r)
A = np.vstack([r**k for k in range(5)]).T
exp_q, *_ = np.linalg.lstsq(A * w[:, None], (np.exp(r) - 1 - r) / r**2 * w, rcond=None)

x = np.linspace(1e-3, 0.625, 4000)
z = x * x
w = x * z / np.tanh(x)
A = np.vstack([z**k for k in range(5)]).T
tanh_p, *_ = np.linalg.lstsq(A * w[:, None], (np.tanh(x) - x) / (x * z) * w, rcond=None)

verf, verfc = np.vectorize(erf), np.vectorize(erfc)
x = np.cos(np.linspace(0, np.pi, 6000))
x = x[np.abs(x) > 1e-4]
w = x * x / verf(x)
A = np.vstack([(x * x) ** k for k in range(7)]).T
erf_e, *_ = np.linalg.lstsq(A * w[:, None], verf(x) / x * w, rcond=None)
x = (np.cos(np.linspace(0, np.pi, 6000)) + 1) / 2 * 3 + 1
w = np.exp(-x * x)
A = np.vstack([x**k for k in range(9)]).T
erf_c, *_ = np.linalg.lstsq(A * w[:, None], verfc(x) * np.exp(x * x) * w, rcond=None)

f32 = np.float32


def exp32(xs):
    n = np.round(xs * f32(1.4426950408889634))
    r = (xs - n * f32(0.693359375)) - n * f32(-2.12194440e-4)
    q = f32(0)
    for c in reversed(exp_q):
        q = q * r + f32(c)
    return np.ldexp((f32(1) + r + r * r * q).astype(np.float64), n.astype(int))


def ulps(got, ref):
    keep = ref != 0
    return (np.abs(got - ref)[keep] / np.spacing(np.abs(ref[keep]).astype(np.float32)).astype(np.float64)).max()


xs = np.linspace(-87, 88, 2_000_001).astype(f32)
print('exp Q', [float(f32(c)) for c in exp_q], 'max ULP', ulps(exp32(xs), np.exp(xs.astype(np.float64))))
xs = np.linspace(-0.625, 0.625, 2_000_001).astype(f32)
q = f32(0)
for c in reversed(tanh_p):
    q = q * (xs * xs) + f32(c)
small = (xs + xs * (xs * xs) * q).astype(np.float64)
print('tanh P', [float(f32(c)) for c in tanh_p], 'max ULP', ulps(small, np.tanh(xs.astype(np.float64))))


def horner_fma(coefs, v):
    # float32 Horner steps with one rounding each, as _mm512_fmadd_ps
    acc = np.zeros_like(v)
    for c in reversed(coefs):
        acc = (acc.astype(np.float64) * v.astype(np.float64) + np.float64(f32(c))).astype(f32)
    return acc


xs = np.concatenate([np.linspace(-4.5, 4.5, 2_000_001), np.linspace(-1e-3, 1e-3, 200_001)]).astype(f32)
ax = np.abs(xs)
small = (xs * horner_fma(erf_e, xs * xs)).astype(np.float64)
tail = np.exp(-(ax * ax).astype(np.float64)).astype(f32).astype(np.float64) * horner_fma(erf_c, ax)
large = np.copysign(np.where(ax >= 4, 1.0, (1.0 - tail).astype(f32)), xs)
got = np.where(ax < 1, small, large)
print('erf E', [float(f32(c)) for c in erf_e], 'C', [float(f32(c)) for c in erf_c], 'max ULP',
      ulps(got, verf(xs.astype(np.float64))))
