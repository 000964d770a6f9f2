#!/usr/bin/env python3
"""Writes test/fixtures/optim.json: 20-step parameter trajectories of PyTorch's optimizers on a fixed
problem (least squares plus a quartic term, so curvature changes), for test/optim.test.ts.
Dev-only: Debian's python3-torch via /usr/bin/python3."""
import json, os
import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'optim.json')
torch.manual_seed(0)
w0, b0 = torch.randn(4, 3), torch.randn(3)
X, Y = torch.randn(8, 4), torch.randn(8, 3)

def loss_fn(w, b):
    return ((X @ w + b - Y) ** 2).mean() + 0.01 * (w ** 4).sum()

CONFIGS = [
    ('SGD', dict(lr=0.05), None),
    ('SGD', dict(lr=0.05, momentum=0.9), None),
    ('SGD', dict(lr=0.05, momentum=0.9, dampening=0.3, weight_decay=0.01), None),
    ('SGD', dict(lr=0.05, momentum=0.8, nesterov=True, weight_decay=0.1), None),
    ('Adam', dict(lr=0.05), None),
    ('Adam', dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1, amsgrad=True), None),
    ('AdamW', dict(lr=0.05), None),
    ('AdamW', dict(lr=0.05, weight_decay=0.2, amsgrad=True), None),
    ('RMSprop', dict(lr=0.01), None),
    ('RMSprop', dict(lr=0.01, momentum=0.9, centered=True, weight_decay=0.05), None),
    ('Adagrad', dict(lr=0.1), None),
    ('Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1), None),
    ('SGD', dict(lr=0.05), [dict(lr=0.1), dict(momentum=0.9)]),  # parameter groups: w, then b
    ('Adamax', dict(lr=0.05), None),
    ('Adamax', dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.1), None),
    ('NAdam', dict(lr=0.05), None),
    ('NAdam', dict(lr=0.05, weight_decay=0.1, momentum_decay=0.01), None),
    ('RAdam', dict(lr=0.05), None),
    ('RAdam', dict(lr=0.05, betas=(0.5, 0.7), weight_decay=0.1), None),
    ('Adadelta', dict(lr=1.0), None),
    ('Adadelta', dict(lr=0.5, rho=0.8, weight_decay=0.1), None),
]

CAMEL = {'momentum_decay': 'momentumDecay', 'weight_decay': 'weightDecay', 'lr_decay': 'lrDecay', 'initial_accumulator_value': 'initialAccumulatorValue'}
def camel(d):
    return {CAMEL.get(k, k): (list(v) if isinstance(v, tuple) else v) for k, v in d.items()}

class NAdam(torch.optim.Optimizer):
    """NAdam as PyTorch 2.x computes it. torch 1.13 (Debian's) multiplies mu into the next momentum
    product twice (mu_product * mu * mu_next), a bug fixed in 2.0; Axon follows the fixed rule."""
    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3):
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, momentum_decay=momentum_decay))
    @torch.no_grad()
    def step(self):
        for g in self.param_groups:
            b1, b2 = g['betas']
            for p in g['params']:
                s = self.state[p]
                if not s:
                    s.update(step=0, mu_product=1.0, exp_avg=torch.zeros_like(p), exp_avg_sq=torch.zeros_like(p))
                s['step'] += 1
                t = s['step']
                grad = p.grad.add(p, alpha=g['weight_decay']) if g['weight_decay'] else p.grad
                mu = b1 * (1. - 0.5 * 0.96 ** (t * g['momentum_decay']))
                mu_next = b1 * (1. - 0.5 * 0.96 ** ((t + 1) * g['momentum_decay']))
                s['mu_product'] *= mu
                s['exp_avg'].mul_(b1).add_(grad, alpha=1 - b1)
                s['exp_avg_sq'].mul_(b2).addcmul_(grad, grad, value=1 - b2)
                denom = s['exp_avg_sq'].div(1 - b2 ** t).sqrt().add_(g['eps'])
                p.addcdiv_(grad, denom, value=-g['lr'] * (1. - mu) / (1. - s['mu_product']))
                p.addcdiv_(s['exp_avg'], denom, value=-g['lr'] * mu_next / (1. - s['mu_product'] * mu_next))

cases = []
for name, opts, groups in CONFIGS:
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    params = [dict(params=[w], **groups[0]), dict(params=[b], **groups[1])] if groups else [w, b]
    opt = (NAdam if name == 'NAdam' else getattr(torch.optim, name))(params, **opts)
    traj = []
    for _ in range(20):
        opt.zero_grad()
        loss_fn(w, b).backward()
        opt.step()
        traj.append(w.detach().flatten().tolist() + b.detach().flatten().tolist())
    cases.append(dict(optimizer=name, options=camel(opts), groups=[camel(g) for g in groups] if groups else None, trajectory=traj))

# LBFGS takes a closure and runs several iterations per step: 6 steps, with the loss each returned.
LBFGS_CONFIGS = [
    dict(lr=0.5, max_iter=4),
    dict(lr=1, max_iter=10, history_size=5, line_search_fn='strong_wolfe'),
    dict(lr=1, max_iter=3, max_eval=5, tolerance_change=1e-5, line_search_fn='strong_wolfe'),
]
LBFGS_CAMEL = {'max_iter': 'maxIter', 'max_eval': 'maxEval', 'history_size': 'historySize', 'line_search_fn': 'lineSearchFn',
               'tolerance_change': 'toleranceChange', 'tolerance_grad': 'toleranceGrad'}
lbfgs = []
for opts in LBFGS_CONFIGS:
    w, b = w0.clone().requires_grad_(), b0.clone().requires_grad_()
    opt = torch.optim.LBFGS([w, b], **opts)
    def closure():
        opt.zero_grad()
        l = loss_fn(w, b)
        l.backward()
        return l
    traj, losses = [], []
    for _ in range(6):
        losses.append(float(opt.step(closure)))
        traj.append(w.detach().flatten().tolist() + b.detach().flatten().tolist())
    lbfgs.append(dict(options={LBFGS_CAMEL.get(k, k): v for k, v in opts.items()}, trajectory=traj, losses=losses))

with open(OUT, 'w') as f:
    json.dump(dict(generator=f'PyTorch {torch.__version__}, scripts/gen_optim_fixtures.py', w0=w0.flatten().tolist(), b0=b0.tolist(),
                   X=X.flatten().tolist(), Y=Y.flatten().tolist(), cases=cases, lbfgs=lbfgs), f)
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
