#!/usr/bin/env python3
"""Writes test/fixtures/ops.json: inputs, outputs and input gradients of Axon's ops as computed by
PyTorch. Dev-only (Debian's python3-torch, run with /usr/bin/python3); the tests read the JSON.

Each case names an op, its inputs and its arguments. An input is built from `data` with `shape`
and then optionally made non-contiguous (`transform`); gradients are taken w.r.t. the data before
the transform. The loss is sum_k (out_k * gradOutput_k).sum(), so every output gets a random upstream
gradient. test/ops.fixtures.test.ts implements the same op names.
"""
import json
import math
import os
import torch
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'ops.json')

def unary(fn):
    return lambda xs, a: fn(xs[0])

OPS = {
    'neg': unary(torch.neg), 'abs': unary(torch.abs), 'sign': unary(torch.sign), 'exp': unary(torch.exp), 'expm1': unary(torch.expm1), 'mish': unary(F.mish),
    'log': unary(torch.log), 'log1p': unary(torch.log1p), 'sqrt': unary(torch.sqrt), 'rsqrt': unary(torch.rsqrt),
    'sin': unary(torch.sin), 'tan': unary(torch.tan), 'asin': unary(torch.asin), 'acos': unary(torch.acos),
    'atan': unary(torch.atan), 'sinh': unary(torch.sinh), 'cosh': unary(torch.cosh), 'log2': unary(torch.log2),
    'log10': unary(torch.log10), 'isinf': unary(torch.isinf), 'isfinite': unary(torch.isfinite),
    'relu6': unary(F.relu6), 'hardsigmoid': unary(F.hardsigmoid), 'hardswish': unary(F.hardswish),
    'logsigmoid': unary(F.logsigmoid), 'softsign': unary(F.softsign),
    'hardtanh': lambda xs, a: F.hardtanh(xs[0], a['minVal'], a['maxVal']), 'cos': unary(torch.cos), 'tanh': unary(torch.tanh), 'sigmoid': unary(torch.sigmoid),
    'erf': unary(torch.erf), 'reciprocal': unary(torch.reciprocal), 'square': unary(torch.square),
    'floor': unary(torch.floor), 'ceil': unary(torch.ceil), 'round': unary(torch.round),
    'relu': unary(F.relu), 'selu': unary(F.selu), 'silu': unary(F.silu),
    'leakyRelu': lambda xs, a: F.leaky_relu(xs[0], a['slope']),
    'elu': lambda xs, a: F.elu(xs[0], a['alpha']),
    'gelu': lambda xs, a: F.gelu(xs[0], approximate=a['approximate']),
    'softplus': lambda xs, a: F.softplus(xs[0], beta=a['beta'], threshold=a['threshold']),
    'clamp': lambda xs, a: torch.clamp(xs[0], a.get('min'), a.get('max')),
    'logicalNot': unary(torch.logical_not), 'isnan': unary(torch.isnan),
    'add': lambda xs, a: xs[0] + xs[1], 'sub': lambda xs, a: xs[0] - xs[1], 'mul': lambda xs, a: xs[0] * xs[1],
    'div': lambda xs, a: xs[0] / xs[1], 'pow': lambda xs, a: torch.pow(xs[0], xs[1]),
    'maximum': lambda xs, a: torch.maximum(xs[0], xs[1]), 'minimum': lambda xs, a: torch.minimum(xs[0], xs[1]),
    'addScalar': lambda xs, a: xs[0] + a['s'], 'mulScalar': lambda xs, a: xs[0] * a['s'],
    'rsubScalar': lambda xs, a: a['s'] - xs[0], 'divScalar': lambda xs, a: xs[0] / a['s'],
    'powScalar': lambda xs, a: torch.pow(xs[0], a['s']), 'rpowScalar': lambda xs, a: torch.pow(a['s'], xs[0]),
    'eq': lambda xs, a: torch.eq(xs[0], xs[1]), 'ne': lambda xs, a: torch.ne(xs[0], xs[1]),
    'lt': lambda xs, a: torch.lt(xs[0], xs[1]), 'le': lambda xs, a: torch.le(xs[0], xs[1]),
    'gt': lambda xs, a: torch.gt(xs[0], xs[1]), 'ge': lambda xs, a: torch.ge(xs[0], xs[1]),
    'logicalAnd': lambda xs, a: torch.logical_and(xs[0], xs[1]), 'logicalOr': lambda xs, a: torch.logical_or(xs[0], xs[1]),
    'logicalXor': lambda xs, a: torch.logical_xor(xs[0], xs[1]),
    'where': lambda xs, a: torch.where(xs[0], xs[1], xs[2]),
    'sum': lambda xs, a: torch.sum(xs[0], dim=a['dim'], keepdim=a.get('keepdim', False)) if 'dim' in a else torch.sum(xs[0]),
    'mean': lambda xs, a: torch.mean(xs[0], dim=a['dim'], keepdim=a.get('keepdim', False)) if 'dim' in a else torch.mean(xs[0]),
    'max': lambda xs, a: torch.amax(xs[0], dim=a.get('dim', list(range(xs[0].dim()))), keepdim=a.get('keepdim', False)),
    'min': lambda xs, a: torch.amin(xs[0], dim=a.get('dim', list(range(xs[0].dim()))), keepdim=a.get('keepdim', False)),
    'prod': lambda xs, a: torch.prod(xs[0], dim=a['dim'], keepdim=a.get('keepdim', False)) if 'dim' in a else torch.prod(xs[0]),
    'argmax': lambda xs, a: torch.argmax(xs[0], dim=a.get('dim'), keepdim=a.get('keepdim', False)),
    'argmin': lambda xs, a: torch.argmin(xs[0], dim=a.get('dim'), keepdim=a.get('keepdim', False)),
    'var': lambda xs, a: torch.var(xs[0], dim=a.get('dim'), unbiased=a.get('correction', 1) == 1, keepdim=a.get('keepdim', False)),
    'std': lambda xs, a: torch.std(xs[0], dim=a.get('dim'), unbiased=a.get('correction', 1) == 1, keepdim=a.get('keepdim', False)),
    'logsumexp': lambda xs, a: torch.logsumexp(xs[0], dim=a['dim'], keepdim=a.get('keepdim', False)),
    'norm': lambda xs, a: torch.linalg.vector_norm(xs[0], ord=(math.inf if a.get('p') == 'inf' else a.get('p', 2)), dim=a.get('dim'), keepdim=a.get('keepdim', False)),
    'softmax': lambda xs, a: torch.softmax(xs[0], a['dim']),
    'logSoftmax': lambda xs, a: torch.log_softmax(xs[0], a['dim']),
    'matmul': lambda xs, a: torch.matmul(xs[0], xs[1]),
    'cat': lambda xs, a: torch.cat(xs, a['dim']),
    'stack': lambda xs, a: torch.stack(xs, a['dim']),
    'split': lambda xs, a: list(torch.split(xs[0], a['sizes'], a['dim'])),
    'chunk': lambda xs, a: list(torch.chunk(xs[0], a['chunks'], a['dim'])),
    'gather': lambda xs, a: torch.gather(xs[0], a['dim'], xs[1]),
    'scatter': lambda xs, a: torch.scatter(xs[0], a['dim'], xs[1], xs[2]),
    'scatterAdd': lambda xs, a: torch.scatter_add(xs[0], a['dim'], xs[1], xs[2]),
    'indexSelect': lambda xs, a: torch.index_select(xs[0], a['dim'], xs[1]),
    'maskedFill': lambda xs, a: xs[0].masked_fill(xs[1], a['value']),
    'oneHot': lambda xs, a: F.one_hot(xs[0], a['numClasses']),
    'tril': lambda xs, a: torch.tril(xs[0], a.get('diagonal', 0)),
    'triu': lambda xs, a: torch.triu(xs[0], a.get('diagonal', 0)),
    'flip': lambda xs, a: torch.flip(xs[0], a['dims']),
    'pad': lambda xs, a: F.pad(xs[0], a['pads'], value=a.get('value', 0.0)),
    'repeat': lambda xs, a: xs[0].repeat(*a['repeats']),
    'reshape': lambda xs, a: xs[0].reshape(a['shape']),
    'permute': lambda xs, a: xs[0].permute(*a['dims']),
    'transpose': lambda xs, a: xs[0].transpose(a['dim0'], a['dim1']),
    'expand': lambda xs, a: xs[0].expand(*a['shape']),
    'squeeze': lambda xs, a: xs[0].squeeze(a['dim']) if 'dim' in a else xs[0].squeeze(),
    'unsqueeze': lambda xs, a: xs[0].unsqueeze(a['dim']),
    'narrow': lambda xs, a: xs[0].narrow(a['dim'], a['start'], a['length']),
    'slice': lambda xs, a: xs[0][(slice(None),) * a['dim'] + (slice(a['start'], a['end'], a['step']),)],
    'select': lambda xs, a: xs[0].select(a['dim'], a['index']),
    'flatten': lambda xs, a: xs[0].flatten(a.get('start', 0), a.get('end', -1)),
    'sort': lambda xs, a: list(torch.sort(xs[0], dim=a.get('dim', -1), descending=a.get('descending', False), stable=True)),
    'argsort': lambda xs, a: torch.sort(xs[0], dim=a.get('dim', -1), descending=a.get('descending', False), stable=True)[1],
    'topk': lambda xs, a: list(torch.topk(xs[0], a['k'], dim=a.get('dim', -1), largest=a.get('largest', True))),
    'kthvalue': lambda xs, a: list(torch.kthvalue(xs[0], a['k'], dim=a.get('dim', -1), keepdim=a.get('keepdim', False))),
    'median': lambda xs, a: torch.median(xs[0]) if 'dim' not in a else list(torch.median(xs[0], dim=a['dim'], keepdim=a.get('keepdim', False))),
    'cumsum': lambda xs, a: torch.cumsum(xs[0], a['dim']),
    'cumprod': lambda xs, a: torch.cumprod(xs[0], a['dim']),
    'any': lambda xs, a: torch.any(xs[0]) if 'dim' not in a else torch.any(xs[0], a['dim'], keepdim=a.get('keepdim', False)),
    'all': lambda xs, a: torch.all(xs[0]) if 'dim' not in a else torch.all(xs[0], a['dim'], keepdim=a.get('keepdim', False)),
    'isclose': lambda xs, a: torch.isclose(xs[0], xs[1], rtol=a.get('rtol', 1e-5), atol=a.get('atol', 1e-8), equal_nan=a.get('equalNan', False)),
    'nanToNum': lambda xs, a: torch.nan_to_num(xs[0], nan=a.get('nan', 0.0), posinf=a.get('posinf'), neginf=a.get('neginf')),
    'roll': lambda xs, a: torch.roll(xs[0], a['shifts'], a.get('dims')),
    'mm': lambda xs, a: torch.mm(xs[0], xs[1]),
    'bmm': lambda xs, a: torch.bmm(xs[0], xs[1]),
    'outer': lambda xs, a: torch.outer(xs[0], xs[1]),
    'diag': lambda xs, a: torch.diag(xs[0], a.get('diagonal', 0)),
    'trace': lambda xs, a: torch.trace(xs[0]),
    'T': lambda xs, a: xs[0].T if xs[0].ndim == 2 else xs[0].permute(*reversed(range(xs[0].ndim))),
    'mT': lambda xs, a: xs[0].transpose(-2, -1),
    'atan2': lambda xs, a: torch.atan2(xs[0], xs[1]),
    'fmod': lambda xs, a: torch.fmod(xs[0], xs[1]),
    'remainder': lambda xs, a: torch.remainder(xs[0], xs[1]),
    'lerp': lambda xs, a: torch.lerp(xs[0], xs[1], xs[2] if len(xs) > 2 else a['weight']),
    'nonzero': lambda xs, a: torch.nonzero(xs[0]),
    'maskedSelect': lambda xs, a: torch.masked_select(xs[0], xs[1]),
    'maskedScatter': lambda xs, a: xs[0].masked_scatter(xs[1], xs[2]),
    'maxDim': lambda xs, a: list(torch.max(xs[0], a['dim'], keepdim=a.get('keepdim', False))),
    'minDim': lambda xs, a: list(torch.min(xs[0], a['dim'], keepdim=a.get('keepdim', False))),
    'mode': lambda xs, a: list(torch.mode(xs[0], dim=a.get('dim', -1), keepdim=a.get('keepdim', False))),
    'unique': lambda xs, a: [t.detach() for t in torch.unique(xs[0], sorted=True, return_inverse=True, return_counts=True)],
    'bincount': lambda xs, a: torch.bincount(xs[0], weights=xs[1].detach() if len(xs) > 1 else None, minlength=a.get('minlength', 0)),
    'histc': lambda xs, a: torch.histc(xs[0].detach(), bins=a['bins'], min=a.get('min', 0), max=a.get('max', 0)),
    'searchsorted': lambda xs, a: torch.searchsorted(xs[0], xs[1], right=a.get('right', False)),
    'einsum': lambda xs, a: torch.einsum(a['equation'], *xs),
    'cdist': lambda xs, a: torch.cdist(xs[0], xs[1], p=a.get('p', 2.0)),
    'normalize': lambda xs, a: F.normalize(xs[0], p=a.get('p', 2.0), dim=a.get('dim', 1)),
    'cosineSimilarity': lambda xs, a: F.cosine_similarity(xs[0], xs[1], dim=a.get('dim', 1)),
    'pairwiseDistance': lambda xs, a: F.pairwise_distance(xs[0], xs[1], p=a.get('p', 2.0), keepdim=a.get('keepdim', False)),
    'glu': lambda xs, a: F.glu(xs[0], a.get('dim', -1)),
    'to': lambda xs, a: xs[0].to({'float64': torch.float64, 'float32': torch.float32, 'int32': torch.int64, 'bool': torch.bool}[a['dtype']]),
}

TORCH_DTYPE = {'float32': torch.float32, 'float64': torch.float64, 'int32': torch.int64, 'bool': torch.bool}

def make_input(spec):
    shape, dtype, kind = spec['shape'], spec.get('dtype', 'float32'), spec.get('kind', 'randn')
    n = math.prod(shape)
    if 'data' in spec:
        base = torch.tensor(spec['data'], dtype=TORCH_DTYPE[dtype]).reshape(shape)
    elif kind == 'randn':
        base = torch.randn(shape, dtype=TORCH_DTYPE[dtype])
    elif kind == 'pos':
        base = (torch.rand(shape, dtype=TORCH_DTYPE[dtype]) * 2 + 0.1)
    elif kind == 'bool':
        base = torch.rand(shape) > 0.5
    elif kind.startswith('index:'):
        base = torch.randint(0, int(kind.split(':')[1]), shape)
    elif kind == 'int':
        base = torch.randint(-5, 6, shape)
    else:
        raise ValueError(kind)
    return base

def apply_transform(t, transform):
    if transform is None:
        return t
    if transform == 'transpose':
        return t.transpose(-1, -2)
    if transform == 'step':
        return t[..., ::2]
    raise ValueError(transform)

def to_list(t):
    if t.dtype == torch.bool:
        return [bool(v) for v in t.flatten().tolist()]
    return [float(v) if t.is_floating_point() else int(v) for v in t.flatten().tolist()]

def dtype_name(t):
    return {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.bool: 'bool'}[t.dtype]

def enc(t):
    vals = to_list(t)
    # JSON has no NaN/inf: encode them as strings
    vals = [v if not (isinstance(v, float) and not math.isfinite(v)) else str(v) for v in vals]
    return {'shape': list(t.shape), 'dtype': dtype_name(t), 'data': vals}

CASES = []
def case(name, op, inputs, **args):
    CASES.append((name, op, inputs, args))

def R(*shape, **kw):
    return dict(shape=list(shape), **kw)

# --- unary and activations (one contiguous and one non-contiguous case each)
for op in ['neg', 'abs', 'sign', 'exp', 'expm1', 'mish', 'sin', 'cos', 'tanh', 'sigmoid', 'erf', 'square', 'relu', 'selu', 'silu', 'floor', 'ceil', 'round']:
    case(op, op, [R(3, 4)])
    case(op + '_T', op, [R(4, 3, transform='transpose')])
for op in ['log', 'log1p', 'sqrt', 'rsqrt', 'reciprocal']:
    case(op, op, [R(3, 4, kind='pos')])
    case(op + '_step', op, [R(2, 6, kind='pos', transform='step')])
case('leakyRelu', 'leakyRelu', [R(3, 4)], slope=0.2)
case('elu', 'elu', [R(3, 4)], alpha=1.3)
case('gelu', 'gelu', [R(3, 4)], approximate='none')
case('geluTanh', 'gelu', [R(3, 4)], approximate='tanh')
case('softplus', 'softplus', [R(3, 4, data=[-30, -3, -1, -0.5, 0, 0.5, 1, 3, 9, 10.5, 11, 30])], beta=2.0, threshold=20.0)
case('clamp', 'clamp', [R(3, 4)], min=-0.5, max=0.7)
case('clamp_min', 'clamp', [R(3, 4)], min=0.1)
case('logicalNot', 'logicalNot', [R(2, 3, kind='bool')])
case('isnan', 'isnan', [R(6, data=[0.0, math.nan, 1.0, math.inf, -math.inf, math.nan])])
case('exp_size0', 'exp', [R(0, 3)])
case('tanh_scalar', 'tanh', [R()])
case('round_half', 'round', [R(6, data=[0.5, 1.5, 2.5, -0.5, -1.5, 2.4])])
# special values and wide ranges for the table's newer entries
WIDE = [-7.5, -4.0, -3.2, -2.5, -1.0, -0.3, 0.2, 0.9, 2.5, 3.4, 5.5, 8.0]
UNIT = [-0.95, -0.7, -0.4, -0.1, 0.05, 0.3, 0.55, 0.8, -0.85, 0.65, -0.2, 0.9]
for op in ['atan', 'sinh', 'cosh', 'relu6', 'hardsigmoid', 'hardswish', 'logsigmoid', 'softsign']:
    case(op, op, [R(3, 4, data=WIDE)])
    case(op + '_T', op, [R(4, 3, transform='transpose')])
for op in ['tan', 'asin', 'acos']:
    case(op, op, [R(3, 4, data=UNIT)])
for op in ['log2', 'log10']:
    case(op, op, [R(3, 4, kind='pos')])
case('hardtanh', 'hardtanh', [R(3, 4, data=WIDE)], minVal=-1.0, maxVal=1.0)
case('hardtanh_range', 'hardtanh', [R(3, 4, data=UNIT)], minVal=-0.5, maxVal=0.7)
for op in ['isinf', 'isfinite']:
    case(op, op, [R(6, data=[0.0, math.nan, 1.0, math.inf, -math.inf, -2.0])])
# --- binary with broadcasting, non-contiguous and empty
for op in ['add', 'sub', 'mul', 'div', 'maximum', 'minimum']:
    case(op, op, [R(3, 4), R(3, 4)])
    case(op + '_bcast', op, [R(2, 1, 4), R(3, 1)])
    case(op + '_T', op, [R(4, 3, transform='transpose'), R(3, 4)])
case('add_size0', 'add', [R(0, 3), R(3)])
case('add_size1', 'add', [R(1, 1), R(1)])
case('mul_scalar_tensor', 'mul', [R(2, 3), R()])
case('add_float64', 'add', [R(2, 3, dtype='float64'), R(2, 3, dtype='float64')])
case('add_int', 'add', [R(2, 3, dtype='int32', kind='int'), R(3, dtype='int32', kind='int')])
case('div_int', 'div', [R(2, 3, dtype='int32', kind='index:7'), R(3, dtype='int32', data=[1, 2, 3])])
case('pow', 'pow', [R(3, 4, kind='pos'), R(3, 4)])
case('pow_bcast', 'pow', [R(3, 1, kind='pos'), R(4)])
case('maximum_ties', 'maximum', [R(4, data=[1, 2, 3, 4]), R(4, data=[1, 0, 3, 5])])
case('addScalar', 'addScalar', [R(2, 3)], s=2.5)
case('mulScalar', 'mulScalar', [R(2, 3)], s=-3)
case('rsubScalar', 'rsubScalar', [R(2, 3)], s=1)
case('divScalar', 'divScalar', [R(2, 3)], s=4)
case('powScalar', 'powScalar', [R(2, 3, kind='pos')], s=2.5)
case('powScalar_int_exp', 'powScalar', [R(2, 3)], s=3)
case('rpowScalar', 'rpowScalar', [R(2, 3)], s=2.0)
for op in ['eq', 'ne', 'lt', 'le', 'gt', 'ge']:
    case(op, op, [R(3, 4, kind='index:3', dtype='float32'), R(4, kind='index:3', dtype='float32')])
for op in ['logicalAnd', 'logicalOr', 'logicalXor']:
    case(op, op, [R(2, 3, kind='bool'), R(3, kind='bool')])
case('where', 'where', [R(3, 4, kind='bool'), R(3, 4), R(4)])
case('where_bcast', 'where', [R(3, 1, kind='bool'), R(1, 4), R()])
# --- reductions
for op in ['sum', 'mean', 'prod']:
    case(op + '_all', op, [R(3, 4)])
    case(op + '_dim', op, [R(3, 4, 5)], dim=1)
    case(op + '_dims_keep', op, [R(3, 4, 5)], dim=(2 if op == 'prod' else [0, 2]), keepdim=True)
    case(op + '_T', op, [R(5, 4, transform='transpose')], dim=-1)
case('sum_size0', 'sum', [R(0, 3)], dim=0)
case('sum_int', 'sum', [R(3, 4, dtype='int32', kind='int')], dim=1)
case('prod_zeros', 'prod', [R(2, 4, data=[1, 0, 2, 3, 0, 0, 2, 1])], dim=1)
for op in ['max', 'min']:
    case(op + '_all', op, [R(3, 4)])
    case(op + '_dim', op, [R(3, 4, 5)], dim=1)
    case(op + '_dims_keep', op, [R(3, 4, 5)], dim=[0, 2], keepdim=True)
    case(op + '_ties', op, [R(2, 3, data=[1, 3, 3, 2, 2, 2])], dim=1)
for op in ['argmax', 'argmin']:
    case(op + '_all', op, [R(3, 4)])
    case(op + '_dim', op, [R(3, 4, 5)], dim=1)
    case(op + '_keep', op, [R(3, 4)], dim=0, keepdim=True)
for op in ['var', 'std']:
    case(op + '_all', op, [R(3, 4)])
    case(op + '_dim', op, [R(3, 4, 5)], dim=1)
    case(op + '_biased_keep', op, [R(3, 4, 5)], dim=[0, 2], correction=0, keepdim=True)
case('logsumexp', 'logsumexp', [R(3, 4)], dim=1)
case('logsumexp_keep', 'logsumexp', [R(3, 4, 5)], dim=[0, 2], keepdim=True)
case('logsumexp_large', 'logsumexp', [R(2, 3, data=[1000, 1001, 999, -1000, -1001, -999])], dim=1)
case('norm_2', 'norm', [R(3, 4)])
case('norm_1_dim', 'norm', [R(3, 4)], p=1, dim=1)
case('norm_inf', 'norm', [R(3, 4)], p='inf', dim=0)
case('norm_3_keep', 'norm', [R(3, 4)], p=3, dim=1, keepdim=True)
case('softmax', 'softmax', [R(3, 5)], dim=1)
case('softmax_dim0_T', 'softmax', [R(5, 3, transform='transpose')], dim=0)
case('softmax_large', 'softmax', [R(2, 3, data=[1000, 1001, 999, -1000, -1001, -999])], dim=1)
case('logSoftmax', 'logSoftmax', [R(3, 5)], dim=-1)
case('logSoftmax_3d', 'logSoftmax', [R(2, 3, 4)], dim=1)
# --- matmul
case('matmul_2d', 'matmul', [R(3, 4), R(4, 5)])
case('matmul_T', 'matmul', [R(4, 3, transform='transpose'), R(5, 4, transform='transpose')])
case('matmul_dot', 'matmul', [R(4), R(4)])
case('matmul_vec_mat', 'matmul', [R(4), R(4, 3)])
case('matmul_mat_vec', 'matmul', [R(3, 4), R(4)])
case('matmul_batched', 'matmul', [R(2, 3, 4), R(2, 4, 5)])
case('matmul_bcast', 'matmul', [R(2, 1, 3, 4), R(3, 4, 2)])
case('matmul_vec_batched', 'matmul', [R(4), R(2, 4, 3)])
case('matmul_empty', 'matmul', [R(0, 3), R(3, 2)])
case('matmul_k0', 'matmul', [R(2, 0), R(0, 3)])
case('matmul_large_k', 'matmul', [R(3, 300), R(300, 2)])
# --- joining, splitting, reordering
case('cat', 'cat', [R(2, 3), R(1, 3), R(4, 3)], dim=0)
case('cat_dim1', 'cat', [R(2, 3), R(2, 1, transform=None)], dim=1)
case('cat_empty', 'cat', [R(2, 3), R(0, 3)], dim=0)
case('stack', 'stack', [R(2, 3), R(2, 3)], dim=1)
case('split', 'split', [R(5, 3)], sizes=2, dim=0)
case('split_list', 'split', [R(3, 6)], sizes=[1, 2, 3], dim=1)
case('chunk', 'chunk', [R(7, 2)], chunks=3, dim=0)
case('flip', 'flip', [R(3, 4)], dims=[0, 1])
case('flip_T', 'flip', [R(4, 3, transform='transpose')], dims=[1])
case('pad', 'pad', [R(2, 3)], pads=[1, 2], value=0.0)
case('pad_2d_value', 'pad', [R(2, 3, 4)], pads=[1, 0, 2, 1], value=1.5)
case('pad_crop', 'pad', [R(3, 5)], pads=[-1, 2, 1, -1])
case('repeat', 'repeat', [R(2, 3)], repeats=[2, 1, 3])
case('repeat_T', 'repeat', [R(3, 2, transform='transpose')], repeats=[2, 2])
case('tril', 'tril', [R(4, 5)])
case('triu_diag', 'triu', [R(2, 4, 5)], diagonal=1)
case('tril_neg', 'tril', [R(4, 4)], diagonal=-1)
# --- indexing
case('gather', 'gather', [R(3, 4), R(3, 2, dtype='int32', kind='index:4')], dim=1)
case('gather_dim0_repeat', 'gather', [R(3, 4), R(5, 4, dtype='int32', kind='index:3')], dim=0)
case('scatter', 'scatter', [R(3, 5), R(3, 2, dtype='int32', data=[0, 4, 1, 2, 3, 0]), R(3, 2)], dim=1)
case('scatterAdd', 'scatterAdd', [R(3, 5), R(3, 4, dtype='int32', kind='index:5'), R(3, 4)], dim=1)
case('scatterAdd_dim0', 'scatterAdd', [R(3, 2), R(4, 2, dtype='int32', kind='index:3'), R(4, 2)], dim=0)
case('indexSelect', 'indexSelect', [R(4, 3), R(5, dtype='int32', data=[3, 0, 0, 2, 1])], dim=0)
case('indexSelect_dim1', 'indexSelect', [R(2, 4, 3), R(2, dtype='int32', data=[3, 1])], dim=1)
case('maskedFill', 'maskedFill', [R(3, 4), R(4, kind='bool')], value=-1e9)
case('oneHot', 'oneHot', [R(5, dtype='int32', data=[0, 3, 1, 3, 2])], numClasses=4)
# --- views
case('reshape', 'reshape', [R(2, 6)], shape=[3, -1])
case('reshape_T', 'reshape', [R(3, 4, transform='transpose')], shape=[12])
case('permute', 'permute', [R(2, 3, 4)], dims=[2, 0, 1])
case('transpose', 'transpose', [R(2, 3, 4)], dim0=0, dim1=2)
case('expand', 'expand', [R(3, 1)], shape=[2, 3, 4])
case('squeeze', 'squeeze', [R(1, 3, 1, 2)])
case('squeeze_dim', 'squeeze', [R(1, 3, 1, 2)], dim=2)
case('unsqueeze', 'unsqueeze', [R(3, 2)], dim=-1)
case('narrow', 'narrow', [R(5, 3)], dim=0, start=1, length=3)
case('slice_step', 'slice', [R(3, 10)], dim=1, start=1, end=9, step=3)
case('slice_neg', 'slice', [R(6, 2)], dim=0, start=-4, end=-1, step=2)
case('select', 'select', [R(3, 4)], dim=1, index=-1)
case('flatten', 'flatten', [R(2, 3, 4)], start=1)
case('to_float64', 'to', [R(2, 3)], dtype='float64')
case('to_int', 'to', [R(2, 3, data=[-1.7, -0.2, 0.5, 1.9, 2.5, 3.0])], dtype='int32')
# --- sorting, scans, truth and matrix helpers (issue 12)
TIES = [3.0, 1.0, 2.0, 1.0, 3.0, 0.0, 2.0, 2.0]
case('sort', 'sort', [R(3, 5)])
case('sort_dim0_desc', 'sort', [R(4, 3)], dim=0, descending=True)
case('sort_ties_stable', 'sort', [R(2, 4, data=TIES)])
case('sort_nan', 'sort', [R(6, data=[1.0, math.nan, -2.0, math.inf, 0.5, -math.inf])])
case('sort_nan_desc', 'sort', [R(6, data=[1.0, math.nan, -2.0, math.inf, 0.5, -math.inf])], descending=True)
case('sort_T', 'sort', [R(5, 3, transform='transpose')], dim=1)
case('sort_int', 'sort', [R(2, 5, dtype='int32', kind='int')])
case('argsort_desc', 'argsort', [R(3, 4)], dim=1, descending=True)
case('topk', 'topk', [R(3, 6)], k=2)
case('topk_smallest_dim0', 'topk', [R(5, 3)], k=3, dim=0, largest=False)
case('kthvalue', 'kthvalue', [R(3, 5)], k=2)
case('kthvalue_keepdim', 'kthvalue', [R(4, 3)], k=4, dim=0, keepdim=True)
case('median_all', 'median', [R(3, 4)])
case('median_dim', 'median', [R(3, 4)], dim=1)
case('median_dim_keepdim', 'median', [R(5, 2)], dim=0, keepdim=True)
case('cumsum', 'cumsum', [R(3, 4)], dim=1)
case('cumsum_dim0_T', 'cumsum', [R(4, 3, transform='transpose')], dim=0)
case('cumsum_int', 'cumsum', [R(2, 5, dtype='int32', kind='int')], dim=1)
case('cumprod', 'cumprod', [R(3, 4)], dim=1)
case('cumprod_zero', 'cumprod', [R(2, 4, data=[1.5, 0.0, 2.0, -1.0, 0.0, 0.0, 3.0, 0.5])], dim=1)
case('any', 'any', [R(2, 3, data=[0.0, 0.0, 1.0, 0.0, 0.0, 0.0])], dim=1)
case('any_all', 'any', [R(2, 3, data=[0.0, 0.0, 0.0, 0.0, 0.0, 0.0])])
case('all', 'all', [R(2, 3, data=[1.0, 2.0, 3.0, 1.0, 0.0, 1.0])], dim=1, keepdim=True)
case('all_bool', 'all', [R(2, 3, kind='bool')])
case('isclose', 'isclose', [R(6, data=[1.0, 1.0, math.nan, math.inf, 1e-9, 100.0]), R(6, data=[1.000001, 1.1, math.nan, math.inf, 0.0, 100.001])], rtol=1e-5, atol=1e-8)
case('isclose_nan', 'isclose', [R(3, data=[math.nan, 1.0, -math.inf]), R(3, data=[math.nan, 1.5, -math.inf])], rtol=0.1, atol=0.2, equalNan=True)
case('nanToNum', 'nanToNum', [R(5, data=[1.0, math.nan, math.inf, -math.inf, -2.0])])
case('nanToNum_values', 'nanToNum', [R(5, data=[1.0, math.nan, math.inf, -math.inf, -2.0])], nan=0.5, posinf=9.0, neginf=-9.0)
case('roll_flat', 'roll', [R(3, 4)], shifts=5)
case('roll_dims', 'roll', [R(3, 4)], shifts=[1, -3], dims=[0, 1])
case('mm', 'mm', [R(3, 4), R(4, 2)])
case('bmm', 'bmm', [R(2, 3, 4), R(2, 4, 5)])
case('outer', 'outer', [R(3), R(4)])
case('diag_vec', 'diag', [R(3)])
case('diag_vec_neg', 'diag', [R(3)], diagonal=-2)
case('diag_mat', 'diag', [R(3, 4)], diagonal=1)
case('diag_mat_neg', 'diag', [R(4, 3)], diagonal=-1)
case('trace', 'trace', [R(3, 4)])
case('T', 'T', [R(2, 3, 4)])
case('mT', 'mT', [R(2, 3, 4)])
case('atan2', 'atan2', [R(3, 4), R(4)])
case('atan2_quadrants', 'atan2', [R(6, data=[1.0, 1.0, -1.0, -1.0, 0.5, -2.0]), R(6, data=[1.0, -1.0, 1.0, -1.0, -3.0, 0.25])])
case('fmod', 'fmod', [R(3, 4), R(4, kind='pos')])
case('fmod_negative', 'fmod', [R(6, data=[5.5, -5.5, 5.5, -5.5, 7.0, -0.5]), R(6, data=[2.0, 2.0, -2.0, -2.0, 3.0, 0.3])])
case('fmod_int', 'fmod', [R(6, dtype='int32', data=[7, -7, 7, -7, 0, 5]), R(6, dtype='int32', data=[3, 3, -3, -3, 2, 5])])
case('remainder', 'remainder', [R(6, data=[5.5, -5.5, 5.5, -5.5, 7.0, -0.5]), R(6, data=[2.0, 2.0, -2.0, -2.0, 3.0, 0.3])])
case('remainder_int', 'remainder', [R(6, dtype='int32', data=[7, -7, 7, -7, 0, 5]), R(6, dtype='int32', data=[3, 3, -3, -3, 2, 5])])
case('lerp_scalar', 'lerp', [R(3, 4), R(3, 4)], weight=0.3)
case('lerp_tensor', 'lerp', [R(3, 4), R(4), R(3, 1)])
case('nonzero', 'nonzero', [R(2, 3, 2, data=[0.0, 1.0, 0.0, 0.0, 2.0, 3.0, 0.0, 0.0, 0.0, 4.0, 0.0, 0.0])])
case('maskedSelect', 'maskedSelect', [R(3, 4), R(4, kind='bool')])
case('unique', 'unique', [R(2, 4, data=[3.0, 1.0, 2.0, 1.0, 3.0, 0.0, 2.0, 2.0])])
case('unique_int', 'unique', [R(7, dtype='int32', data=[5, -1, 5, 0, 2, -1, 5])])
case('bincount', 'bincount', [R(8, dtype='int32', data=[1, 3, 1, 0, 5, 1, 3, 0])], minlength=7)
case('bincount_weights', 'bincount', [R(5, dtype='int32', data=[2, 0, 2, 4, 0]), R(5)])
case('histc', 'histc', [R(20)], bins=5, min=-1.0, max=1.0)
case('histc_auto', 'histc', [R(20)], bins=4)
case('searchsorted', 'searchsorted', [R(6, data=[-1.0, 0.0, 0.5, 0.5, 2.0, 3.0]), R(5, data=[0.5, -2.0, 3.0, 2.5, 0.0])])
case('searchsorted_right_batched', 'searchsorted', [R(2, 4, data=[0.0, 1.0, 2.0, 3.0, -3.0, -1.0, 1.0, 3.0]), R(2, 3, data=[1.0, 3.0, 9.0, -1.0, 0.0, -5.0])], right=True)
case('einsum_matmul', 'einsum', [R(3, 4), R(4, 2)], equation='ij,jk->ik')
case('einsum_batched_transposed', 'einsum', [R(2, 3, 4), R(2, 5, 4)], equation='bij,bkj->bik')
case('einsum_outer_sum', 'einsum', [R(3), R(4)], equation='i,j->ij')
case('einsum_trace_like', 'einsum', [R(3, 4), R(3, 4)], equation='ij,ij->')
case('einsum_implicit', 'einsum', [R(2, 3), R(3, 4), R(4)], equation='ab,bc,c')
case('einsum_permute', 'einsum', [R(2, 3, 4)], equation='abc->cab')
case('cdist', 'cdist', [R(4, 3), R(5, 3)])
case('cdist_p1_batched', 'cdist', [R(2, 3, 2), R(2, 4, 2)], p=1.0)
case('normalize', 'normalize', [R(3, 4)])
case('normalize_p1_dim0', 'normalize', [R(3, 4)], p=1.0, dim=0)
case('cosineSimilarity', 'cosineSimilarity', [R(3, 5), R(3, 5)])
case('cosineSimilarity_broadcast_dim0', 'cosineSimilarity', [R(4, 3), R(4, 1)], dim=0)
case('pairwiseDistance', 'pairwiseDistance', [R(3, 5), R(3, 5)])
case('pairwiseDistance_p3_keepdim', 'pairwiseDistance', [R(2, 4), R(4)], p=3.0, keepdim=True)
case('glu', 'glu', [R(3, 6)])
case('glu_dim0', 'glu', [R(4, 3)], dim=0)

# mode: values with ties (the smallest of the most frequent wins; its last index is reported)
case('mode', 'mode', [R(3, 6, data=[1, 2, 2, 3, 3, 0, 5, 5, 5, 1, 1, 1, -1, 4, 4, 4, -1, -1])])
case('mode_dim0_keepdim', 'mode', [R(4, 3, data=[2, 1, 0, 2, 1, 3, 7, 3, 3, 7, 1, 0])], dim=0, keepdim=True)
case('maskedScatter', 'maskedScatter', [R(3, 4), R(3, 4, kind='bool'), R(15)])
case('maskedScatter_broadcast', 'maskedScatter', [R(2, 3), R(3, data=[True, False, True], dtype='bool'), R(2, 2)])

# max/min along one dim: [values, indices] (ties: the first; NaN propagates with its index)
case('maxDim', 'maxDim', [R(3, 4, data=[1, 3, 3, 0, 2, math.nan, 5, math.nan, -1, -2, -1, -3])], dim=1)
case('maxDim_keepdim_dim0', 'maxDim', [R(4, 3)], dim=0, keepdim=True)
case('minDim', 'minDim', [R(3, 4, data=[1, 0, 3, 0, 2, math.nan, -5, 4, -1, -2, -1, -3])], dim=1)

cases = []
for name, op, specs, args in CASES:
    bases = [make_input(s) for s in specs]
    leaves = []
    for b in bases:
        leaf = b.clone().requires_grad_(b.is_floating_point())
        leaves.append(leaf)
    xs = [apply_transform(l, s.get('transform')) for l, s in zip(leaves, specs)]
    out = OPS[op](xs, args)
    outs = out if isinstance(out, list) else [out]
    grad_outs = [torch.randn(o.shape, dtype=o.dtype) if o.is_floating_point() else None for o in outs]
    grads = [None] * len(leaves)
    if any(o.requires_grad for o in outs):
        loss = sum((o * g).sum() for o, g in zip(outs, grad_outs) if g is not None and o.requires_grad)
        loss.backward()
        grads = [enc(l.grad) if l.grad is not None else None for l in leaves]
    cases.append({
        'name': name, 'op': op, 'args': args,
        'inputs': [dict(enc(b), transform=s.get('transform')) for b, s in zip(bases, specs)],
        'outputs': [enc(o.detach()) for o in outs],
        'gradOutputs': [enc(g) if g is not None else None for g in grad_outs],
        'grads': grads,
    })

with open(OUT, 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__}, scripts/gen_op_fixtures.py', 'cases': cases}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
