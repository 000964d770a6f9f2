#!/usr/bin/env python3
"""Fits the polynomial coefficients of native/src/vmath.cc and prints their worst error in ULP,
evaluated in float32 as the kernel does (numpy; run with /usr/bin/python3 on Debian):
  e^r = 1 + r + r^2 Q(r) on |r| <= ln2/2      (Q of degree 4: exp to 1.3 ULP)
  tanh(x) = x + x^3 P(x^2) on |x| <= 0.625    (P of degree 4: 0.9 ULP; beyond, 1 - 2/(e^2x + 1))
Weighted least squares on Chebyshev nodes, weighted for relative error."""
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
