#!/usr/bin/env python3
"""Writes test/fixtures/schedulers.json: the learning rate (and momentum) of PyTorch's schedulers
over 30 steps, and the gradients of clip_grad_norm_/clip_grad_value_, for test/schedulers.test.ts.
Dev-only: Debian's python3-torch via /usr/bin/python3."""
import json, math, os
import torch
from torch.optim import lr_scheduler as S

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'schedulers.json')

def opt():
    p = torch.nn.Parameter(torch.zeros(1))
    return torch.optim.SGD([p], lr=0.1, momentum=0.9)

METRICS = [1.0, 0.9, 0.85, 0.85, 0.86, 0.87, 0.84, 0.84, 0.85, 0.9, 0.95, 0.8, 0.8, 0.81, 0.82, 0.83, 0.84, 0.85, 0.86, 0.87, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7]

CASES = [
    ('StepLR', dict(stepSize=7, gamma=0.5), lambda o: S.StepLR(o, 7, 0.5)),
    ('MultiStepLR', dict(milestones=[3, 10, 20], gamma=0.3), lambda o: S.MultiStepLR(o, [3, 10, 20], 0.3)),
    ('ExponentialLR', dict(gamma=0.9), lambda o: S.ExponentialLR(o, 0.9)),
    ('CosineAnnealingLR', dict(tMax=12, etaMin=0.001), lambda o: S.CosineAnnealingLR(o, 12, 0.001)),
    ('CosineAnnealingWarmRestarts', dict(t0=5, tMult=2, etaMin=0.01), lambda o: S.CosineAnnealingWarmRestarts(o, 5, 2, 0.01)),
    ('LinearLR', dict(startFactor=0.1, endFactor=1.0, totalIters=8), lambda o: S.LinearLR(o, 0.1, 1.0, 8)),
    ('OneCycleLR', dict(maxLr=1.0, totalSteps=31), lambda o: S.OneCycleLR(o, 1.0, total_steps=31)),
    ('OneCycleLR', dict(maxLr=0.5, totalSteps=31, annealStrategy='linear', threePhase=True, pctStart=0.25), lambda o: S.OneCycleLR(o, 0.5, total_steps=31, anneal_strategy='linear', three_phase=True, pct_start=0.25)),
    ('SequentialLR', None, lambda o: S.SequentialLR(o, [S.LinearLR(o, 0.2, 1.0, 5), S.CosineAnnealingLR(o, 20)], milestones=[5])),
    ('ReduceLROnPlateau', dict(factor=0.5, patience=2, cooldown=1), lambda o: S.ReduceLROnPlateau(o, factor=0.5, patience=2, cooldown=1)),
    # Functions are named in args; test/schedulers.test.ts defines the same ones.
    ('LambdaLR', dict(fn='warmupDecay'), lambda o: S.LambdaLR(o, lambda e: min(1.0, (e + 1) / 5) * 0.9 ** e)),
    ('MultiplicativeLR', dict(fn='0.95'), lambda o: S.MultiplicativeLR(o, lambda e: 0.95)),
    ('PolynomialLR', dict(totalIters=12, power=2.0), lambda o: S.PolynomialLR(o, total_iters=12, power=2.0)),
    ('CyclicLR', dict(baseLr=0.01, maxLr=0.1, stepSizeUp=4), lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4)),
    ('CyclicLR', dict(baseLr=0.01, maxLr=0.1, stepSizeUp=3, stepSizeDown=5, mode='triangular2'), lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=3, step_size_down=5, mode='triangular2')),
    ('CyclicLR', dict(baseLr=0.01, maxLr=0.1, stepSizeUp=4, mode='expRange', gamma=0.95, baseMomentum=0.7, maxMomentum=0.95), lambda o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4, mode='exp_range', gamma=0.95, base_momentum=0.7, max_momentum=0.95)),
]

cases = []
for name, args, make in CASES:
    o = opt()
    s = make(o)
    lrs, moms = [], []
    for i in range(30):
        o.step()
        if name == 'ReduceLROnPlateau':
            s.step(METRICS[i])
        else:
            s.step()
        lrs.append(o.param_groups[0]['lr'])
        moms.append(o.param_groups[0]['momentum'])
    cases.append(dict(name=name, args=args, lrs=lrs, momenta=moms))

torch.manual_seed(0)
grads = [torch.randn(3, 4) * 3, torch.randn(5)]
def clipped(fn):
    ps = [torch.nn.Parameter(torch.zeros_like(g)) for g in grads]
    for p, g in zip(ps, grads):
        p.grad = g.clone()
    total = fn(ps)
    return dict(total=float(total) if total is not None else None, grads=[p.grad.flatten().tolist() for p in ps])

clip = dict(
    grads=[g.flatten().tolist() for g in grads], shapes=[list(g.shape) for g in grads],
    norm2=clipped(lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1.5)),
    norm1=clipped(lambda ps: torch.nn.utils.clip_grad_norm_(ps, 2.0, norm_type=1)),
    normInf=clipped(lambda ps: torch.nn.utils.clip_grad_norm_(ps, 0.5, norm_type=math.inf)),
    noclip=clipped(lambda ps: torch.nn.utils.clip_grad_norm_(ps, 1000.0)),
    value=clipped(lambda ps: torch.nn.utils.clip_grad_value_(ps, 0.7)),
)
with open(OUT, 'w') as f:
    json.dump(dict(generator=f'PyTorch {torch.__version__}, scripts/gen_sched_fixtures.py', metrics=METRICS, cases=cases, clip=clip), f)
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
