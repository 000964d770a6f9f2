#!/usr/bin/env python3
"""Writes test/fixtures/explain.json: attributions computed with PyTorch's autograd from the
definitions in Captum's documentation (saliency, input x gradient, integrated gradients with each
approximation method, Grad-CAM, occlusion), Gauss-Legendre nodes from numpy, and F.interpolate
cases. Dev-only (Debian's python3-torch via /usr/bin/python3); test/explain.test.ts builds the same
models in Axon, loads these state dicts and compares.
"""
import json
import math
import os
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'explain.json')


def enc(t):
    t = t.detach()
    dtype = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32'}[t.dtype]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': t.flatten().tolist()}


def state(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def select(out, target):
    if target is None:
        return out.reshape(out.shape[0])
    return out.gather(1, torch.tensor(target).reshape(-1, 1)).squeeze(1)


def grads(model, x, target):
    x = x.detach().clone().requires_grad_(True)
    y = select(model(x), target)
    (g,) = torch.autograd.grad(y.sum(), x)
    return g, y.detach()


def points(method, n):
    if method == 'riemannLeft':
        return [i / n for i in range(n)], [1 / n] * n
    if method == 'riemannRight':
        return [(i + 1) / n for i in range(n)], [1 / n] * n
    if method == 'riemannMiddle':
        return [(i + 0.5) / n for i in range(n)], [1 / n] * n
    if method == 'riemannTrapezoid':
        w = [1 / (n - 1)] * n
        w[0] = w[-1] = 0.5 / (n - 1)
        return [i / (n - 1) for i in range(n)], w
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return list((nodes + 1) / 2), list(weights / 2)


def integrated_gradients(model, x, baseline, target, method, steps):
    alphas, weights = points(method, steps)
    total = torch.zeros_like(x)
    for a, w in zip(alphas, weights):
        g, _ = grads(model, baseline + a * (x - baseline), target)
        total += w * g
    attr = total * (x - baseline)
    with torch.no_grad():
        delta = attr.reshape(x.shape[0], -1).sum(1) - (select(model(x), target) - select(model(baseline), target))
    return attr, delta


def grad_cam(model, layer, x, target, relu, upsample):
    acts = []
    h = layer.register_forward_hook(lambda m, i, o: acts.append(o))
    y = select(model(x), target)
    h.remove()
    (g,) = torch.autograd.grad(y.sum(), acts[0])
    cam = (g.mean(dim=(2, 3), keepdim=True) * acts[0]).sum(1, keepdim=True).detach()
    if relu:
        cam = F.relu(cam)
    if upsample:
        cam = F.interpolate(cam, size=x.shape[2:], mode=upsample, **({} if upsample == 'nearest' else {'align_corners': False}))
    return cam


def occlusion(model, x, window, stride, baseline, target):
    """Captum's Occlusion: windows start at k*stride, k = 0 .. ceil((D - w) / s); cut at the edge."""
    dims = x.shape[1:]
    starts = [range(0, (math.ceil((d - w) / s)) * s + 1, s) for d, w, s in zip(dims, window, stride)]
    with torch.no_grad():
        orig = select(model(x), target)
        total = torch.zeros_like(x)
        count = torch.zeros(dims)
        for corner in np.array(np.meshgrid(*starts, indexing='ij')).reshape(len(dims), -1).T:
            sl = tuple(slice(int(c), int(c) + w) for c, w in zip(corner, window))
            mask = torch.zeros(dims)
            mask[sl] = 1
            occluded = x * (1 - mask) + baseline * mask
            drop = orig - select(model(occluded), target)
            total += drop.reshape(-1, *([1] * len(dims))) * mask
            count += mask
        return total / count


cnn = nn.Sequential(nn.Conv2d(1, 3, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(3, 4, 3, padding=1), nn.ReLU(),
                    nn.Flatten(), nn.Linear(4 * 4 * 4, 3))
mlp = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 1))
x_img = torch.rand(2, 1, 8, 8)
x_tab = torch.randn(3, 4)
img_target = [0, 2]
base_img = torch.full_like(x_img, 0.25)

cases = []
for name, model, x, target in [('cnn', cnn, x_img, img_target), ('mlp', mlp, x_tab, None)]:
    g, y = grads(model, x, target)
    cases.append({'kind': 'saliency', 'model': name, 'target': target, 'abs': True, 'expected': enc(g.abs())})
    cases.append({'kind': 'saliency', 'model': name, 'target': target, 'abs': False, 'expected': enc(g)})
    cases.append({'kind': 'inputXGradient', 'model': name, 'target': target, 'expected': enc(g * x)})
    for method, steps in [('gaussLegendre', 50), ('riemannTrapezoid', 20), ('riemannLeft', 10), ('riemannRight', 10),
                          ('riemannMiddle', 10)]:
        attr, delta = integrated_gradients(model, x, torch.zeros_like(x), target, method, steps)
        cases.append({'kind': 'integratedGradients', 'model': name, 'target': target, 'method': method, 'steps': steps,
                      'expected': enc(attr), 'delta': enc(delta)})
# A baseline other than zero, given as one sample.
attr, delta = integrated_gradients(cnn, x_img, base_img, img_target, 'gaussLegendre', 32)
cases.append({'kind': 'integratedGradients', 'model': 'cnn', 'target': img_target, 'method': 'gaussLegendre', 'steps': 32,
              'baseline': 0.25, 'expected': enc(attr), 'delta': enc(delta)})
for relu in [False, True]:
    for upsample in [None, 'nearest', 'bilinear']:
        cases.append({'kind': 'gradCam', 'model': 'cnn', 'layer': '3', 'target': img_target, 'relu': relu,
                      'upsample': upsample, 'expected': enc(grad_cam(cnn, cnn[3], x_img, img_target, relu, upsample))})
for window, stride, baseline in [([1, 3, 3], [1, 2, 2], 0.0), ([1, 2, 2], [1, 2, 2], 0.5), ([1, 4, 3], [1, 3, 1], 0.0)]:
    cases.append({'kind': 'occlusion', 'model': 'cnn', 'target': img_target, 'window': window, 'stride': stride,
                  'baseline': baseline, 'expected': enc(occlusion(cnn, x_img, window, stride, baseline, img_target))})
cases.append({'kind': 'occlusion', 'model': 'mlp', 'target': None, 'window': [2], 'stride': [1], 'baseline': 0.0,
              'expected': enc(occlusion(mlp, x_tab, [2], [1], 0.0, None))})

legendre = []
for n in [1, 2, 3, 5, 8, 50]:
    nodes, weights = np.polynomial.legendre.leggauss(n)
    legendre.append({'n': n, 'nodes': list(nodes), 'weights': list(weights)})

interp = []
for shape, opts in [([1, 2, 3, 4], {'size': [5, 7], 'mode': 'bilinear'}),
                    ([1, 2, 3, 4], {'size': [5, 7], 'mode': 'bilinear', 'alignCorners': True}),
                    ([2, 1, 4, 4], {'scaleFactor': 2, 'mode': 'nearest'}),
                    ([2, 1, 5, 6], {'size': [3, 4], 'mode': 'nearest'}),
                    ([2, 1, 5, 6], {'size': [2, 3], 'mode': 'bilinear'}),
                    ([1, 2, 5], {'scaleFactor': 1.5, 'mode': 'linear'}),
                    ([1, 1, 2, 3, 2], {'size': [3, 4, 4], 'mode': 'trilinear'}),
                    ([1, 1, 3, 3], {'scaleFactor': [2.5, 1.5], 'mode': 'bilinear'})]:
    x = torch.randn(*shape, requires_grad=True)
    kw = {'mode': opts['mode']}
    if 'size' in opts:
        kw['size'] = opts['size']
    else:
        kw['scale_factor'] = opts['scaleFactor']
    if opts['mode'] != 'nearest':
        kw['align_corners'] = opts.get('alignCorners', False)
    y = F.interpolate(x, **kw)
    gout = torch.randn_like(y)
    (g,) = torch.autograd.grad((y * gout).sum(), x)
    interp.append({'options': opts, 'input': enc(x), 'output': enc(y), 'gradOutput': enc(gout), 'gradInput': enc(g)})

with open(OUT, 'w') as f:
    json.dump({'generator': f'torch {torch.__version__}', 'models': {'cnn': state(cnn), 'mlp': state(mlp)},
               'inputs': {'cnn': enc(x_img), 'mlp': enc(x_tab)}, 'cases': cases, 'legendre': legendre,
               'interpolate': interp}, f)
print(f'wrote {OUT}: {len(cases)} attribution cases')
