#!/usr/bin/env python3
"""Writes test/fixtures/nn.json: PyTorch layers and losses with their state dicts, inputs, outputs,
input gradients and parameter gradients. Dev-only (Debian's python3-torch via /usr/bin/python3).
test/nn.parity.test.ts builds the same layer in Axon, loads the state dict by PyTorch's key names
and compares. The loss is sum_k (out_k * gradOutput_k).sum() over every floating output.
"""
import json
import math
import os
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'nn.json')

def enc(t):
    vals = t.detach().flatten().tolist()
    if t.dtype == torch.bool:
        vals = [bool(v) for v in vals]
    vals = [str(v) if isinstance(v, float) and not math.isfinite(v) else v for v in vals]
    dtype = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32', torch.bool: 'bool'}[t.dtype]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': vals}

def flat_outputs(out):
    if isinstance(out, torch.Tensor):
        return [out]
    res = []
    for o in out:
        if o is not None:
            res += flat_outputs(o)
    return res

CASES = []

def case(name, module, args, build, inputs, call=None, train=False, kwargs=None, nograd=()):
    """build(): the torch module; call(m, inputs): its outputs; args: how Axon builds it."""
    CASES.append(dict(name=name, module=module, args=args, build=build, inputs=inputs,
                      call=call or (lambda m, xs, kw: m(*xs, **kw)), train=train, kwargs=kwargs or {}, nograd=nograd))

R = lambda *s: torch.randn(*s)
I = lambda high, *s: torch.randint(0, high, s)

# --- linear
case('Linear', 'Linear', dict(inF=5, outF=3), lambda: nn.Linear(5, 3), [R(4, 5)])
case('Linear_3d_nobias', 'Linear', dict(inF=5, outF=3, bias=False), lambda: nn.Linear(5, 3, bias=False), [R(2, 4, 5)])
case('Bilinear', 'Bilinear', dict(in1=3, in2=4, outF=2), lambda: nn.Bilinear(3, 4, 2), [R(5, 3), R(5, 4)])
# --- convolution
case('Conv1d', 'Conv1d', dict(cin=3, cout=4, k=3, stride=2, padding=1), lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), [R(2, 3, 9)])
case('Conv1d_groups_dilation', 'Conv1d', dict(cin=4, cout=6, k=2, groups=2, dilation=2), lambda: nn.Conv1d(4, 6, 2, groups=2, dilation=2), [R(2, 4, 8)])
case('Conv2d', 'Conv2d', dict(cin=3, cout=4, k=3, padding=1), lambda: nn.Conv2d(3, 4, 3, padding=1), [R(2, 3, 6, 5)])
case('Conv2d_stride_dilation', 'Conv2d', dict(cin=2, cout=3, k=[3, 2], stride=[2, 1], dilation=[1, 2], padding=[1, 0]), lambda: nn.Conv2d(2, 3, (3, 2), stride=(2, 1), dilation=(1, 2), padding=(1, 0)), [R(2, 2, 7, 6)])
case('Conv2d_groups', 'Conv2d', dict(cin=4, cout=6, k=3, groups=2, bias=False), lambda: nn.Conv2d(4, 6, 3, groups=2, bias=False), [R(1, 4, 5, 5)])
case('Conv2d_depthwise', 'Conv2d', dict(cin=3, cout=6, k=3, groups=3, padding=1), lambda: nn.Conv2d(3, 6, 3, groups=3, padding=1), [R(2, 3, 4, 4)])
case('Conv2d_same_even_kernel', 'Conv2d', dict(cin=2, cout=2, k=4, padding='same'), lambda: nn.Conv2d(2, 2, 4, padding='same'), [R(1, 2, 5, 6)])
case('Conv2d_unbatched', 'Conv2d', dict(cin=2, cout=3, k=2), lambda: nn.Conv2d(2, 3, 2), [R(2, 4, 4)])
case('ConvTranspose2d', 'ConvTranspose2d', dict(cin=4, cout=2, k=3, stride=2, padding=1, outputPadding=1), lambda: nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1), [R(2, 4, 3, 3)])
case('ConvTranspose2d_groups', 'ConvTranspose2d', dict(cin=4, cout=6, k=[2, 3], groups=2, dilation=[1, 2]), lambda: nn.ConvTranspose2d(4, 6, (2, 3), groups=2, dilation=(1, 2)), [R(1, 4, 3, 4)])
case('ConvTranspose1d', 'ConvTranspose1d', dict(cin=3, cout=2, k=4, stride=3), lambda: nn.ConvTranspose1d(3, 2, 4, stride=3), [R(2, 3, 5)])
# --- pooling
case('MaxPool2d', 'MaxPool2d', dict(k=2), lambda: nn.MaxPool2d(2), [R(2, 3, 6, 6)])
case('MaxPool2d_pad_stride', 'MaxPool2d', dict(k=3, stride=2, padding=1), lambda: nn.MaxPool2d(3, stride=2, padding=1), [R(1, 2, 7, 6)])
case('MaxPool2d_ceil_dilation', 'MaxPool2d', dict(k=2, stride=2, dilation=2, ceilMode=True), lambda: nn.MaxPool2d(2, stride=2, dilation=2, ceil_mode=True), [R(1, 2, 7, 8)])
case('MaxPool2d_ties', 'MaxPool2d', dict(k=2), lambda: nn.MaxPool2d(2), [F.relu(R(1, 1, 4, 4))])
case('MaxPool1d', 'MaxPool1d', dict(k=3, stride=2, padding=1), lambda: nn.MaxPool1d(3, stride=2, padding=1), [R(2, 3, 9)])
case('AvgPool2d', 'AvgPool2d', dict(k=2), lambda: nn.AvgPool2d(2), [R(2, 3, 6, 6)])
case('AvgPool2d_pad_exclude', 'AvgPool2d', dict(k=3, stride=2, padding=1, countIncludePad=False), lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), [R(1, 2, 7, 6)])
case('AvgPool2d_pad_include_ceil', 'AvgPool2d', dict(k=3, stride=2, padding=1, ceilMode=True), lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), [R(1, 2, 6, 6)])
case('AvgPool1d', 'AvgPool1d', dict(k=2), lambda: nn.AvgPool1d(2), [R(2, 3, 8)])
case('AdaptiveAvgPool2d_global', 'AdaptiveAvgPool2d', dict(out=[1, 1]), lambda: nn.AdaptiveAvgPool2d((1, 1)), [R(2, 3, 5, 7)])
case('AdaptiveAvgPool2d_uneven', 'AdaptiveAvgPool2d', dict(out=[3, 2]), lambda: nn.AdaptiveAvgPool2d((3, 2)), [R(2, 3, 5, 7)])
# --- normalisation (train mode checks the running statistics afterwards)
case('BatchNorm1d_train', 'BatchNorm1d', dict(n=4), lambda: nn.BatchNorm1d(4), [R(8, 4)], train=True)
case('BatchNorm1d_3d_train', 'BatchNorm1d', dict(n=3, momentum=0.3), lambda: nn.BatchNorm1d(3, momentum=0.3), [R(4, 3, 5)], train=True)
case('BatchNorm2d_train', 'BatchNorm2d', dict(n=3), lambda: nn.BatchNorm2d(3), [R(4, 3, 3, 3)], train=True)
case('BatchNorm2d_eval', 'BatchNorm2d', dict(n=3), lambda: nn.BatchNorm2d(3), [R(4, 3, 3, 3)], train=False)
case('BatchNorm1d_cumulative', 'BatchNorm1d', dict(n=2, momentum=None), lambda: nn.BatchNorm1d(2, momentum=None), [R(6, 2)], train=True)
case('LayerNorm', 'LayerNorm', dict(shape=[6]), lambda: nn.LayerNorm(6), [R(3, 4, 6)])
case('LayerNorm_2d_shape', 'LayerNorm', dict(shape=[3, 4], eps=1e-3), lambda: nn.LayerNorm([3, 4], eps=1e-3), [R(2, 3, 4)])
case('GroupNorm', 'GroupNorm', dict(groups=2, channels=4), lambda: nn.GroupNorm(2, 4), [R(3, 4, 5)])
# --- embedding
case('Embedding_padding', 'Embedding', dict(num=10, dim=3, paddingIdx=1), lambda: nn.Embedding(10, 3, padding_idx=1), [torch.tensor([[1, 2, 1], [5, 9, 0]])])
# --- recurrent
case('RNN_tanh', 'RNN', dict(inp=3, hid=4), lambda: nn.RNN(3, 4), [R(5, 2, 3)])
case('RNN_relu_2layer_bidir_batchfirst', 'RNN', dict(inp=3, hid=4, numLayers=2, bidirectional=True, batchFirst=True, nonlinearity='relu'), lambda: nn.RNN(3, 4, num_layers=2, bidirectional=True, batch_first=True, nonlinearity='relu'), [R(2, 5, 3)])
case('LSTM', 'LSTM', dict(inp=3, hid=4), lambda: nn.LSTM(3, 4), [R(5, 2, 3)])
case('LSTM_2layer_bidir_states', 'LSTM', dict(inp=3, hid=4, numLayers=2, bidirectional=True), lambda: nn.LSTM(3, 4, num_layers=2, bidirectional=True), [R(5, 2, 3), R(4, 2, 4), R(4, 2, 4)],
     call=lambda m, xs, kw: m(xs[0], (xs[1], xs[2])))
case('LSTM_batchfirst_unbatched', 'LSTM', dict(inp=3, hid=2, batchFirst=True), lambda: nn.LSTM(3, 2, batch_first=True), [R(4, 3)])
case('GRU_2layer_bidir', 'GRU', dict(inp=3, hid=4, numLayers=2, bidirectional=True, batchFirst=True), lambda: nn.GRU(3, 4, num_layers=2, bidirectional=True, batch_first=True), [R(2, 5, 3), R(4, 2, 4)],
     call=lambda m, xs, kw: m(xs[0], xs[1]))

def packed_call(m, xs, kw):
    lengths = torch.tensor(kw['lengths'])
    packed = nn.utils.rnn.pack_padded_sequence(xs[0], lengths, batch_first=True, enforce_sorted=False)
    out, state = m(packed)
    out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=xs[0].shape[1])
    return out, state
case('LSTM_bidir_lengths', 'LSTM', dict(inp=3, hid=4, bidirectional=True, batchFirst=True), lambda: nn.LSTM(3, 4, bidirectional=True, batch_first=True), [R(3, 6, 3)], call=packed_call, kwargs=dict(lengths=[6, 2, 4]))
case('GRU_lengths', 'GRU', dict(inp=3, hid=4, numLayers=2, batchFirst=True), lambda: nn.GRU(3, 4, num_layers=2, batch_first=True), [R(3, 5, 3)], call=packed_call, kwargs=dict(lengths=[3, 5, 1]))
# --- attention and transformers (dropout 0 so train mode is deterministic)
def pad_mask(n, s, lengths):
    return torch.arange(s).unsqueeze(0) >= torch.tensor(lengths).unsqueeze(1)
causal = lambda n: torch.triu(torch.ones(n, n, dtype=torch.bool), 1)
case('MultiheadAttention_masks', 'MultiheadAttention', dict(e=8, heads=2), lambda: nn.MultiheadAttention(8, 2), [R(4, 2, 8), R(5, 2, 8), R(5, 2, 8), pad_mask(2, 5, [5, 3]), causal(5)[:4]],
     call=lambda m, xs, kw: m(xs[0], xs[1], xs[2], key_padding_mask=xs[3], attn_mask=xs[4]))
case('MultiheadAttention_batchfirst_perhead', 'MultiheadAttention', dict(e=6, heads=3, batchFirst=True, average=False), lambda: nn.MultiheadAttention(6, 3, batch_first=True), [R(2, 3, 6), R(2, 4, 6), R(2, 4, 6)],
     call=lambda m, xs, kw: m(xs[0], xs[1], xs[2], average_attn_weights=False))
case('MultiheadAttention_float_mask', 'MultiheadAttention', dict(e=4, heads=1), lambda: nn.MultiheadAttention(4, 1), [R(3, 1, 4), R(3, 1, 4), R(3, 1, 4), R(3, 3)],
     call=lambda m, xs, kw: m(xs[0], xs[1], xs[2], attn_mask=xs[3]))
case('TransformerEncoderLayer', 'TransformerEncoderLayer', dict(d=8, heads=2, ff=16), lambda: nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0), [R(5, 2, 8), pad_mask(2, 5, [5, 4])],
     call=lambda m, xs, kw: m(xs[0], src_key_padding_mask=xs[1]), train=True)
case('TransformerEncoderLayer_normfirst_gelu', 'TransformerEncoderLayer', dict(d=8, heads=4, ff=12, normFirst=True, activation='gelu', batchFirst=True), lambda: nn.TransformerEncoderLayer(8, 4, dim_feedforward=12, dropout=0.0, norm_first=True, activation='gelu', batch_first=True), [R(2, 5, 8)],
     call=lambda m, xs, kw: m(xs[0], src_mask=causal(5)), train=True)
case('TransformerDecoderLayer', 'TransformerDecoderLayer', dict(d=8, heads=2, ff=16, batchFirst=True), lambda: nn.TransformerDecoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True), [R(2, 4, 8), R(2, 6, 8), pad_mask(2, 6, [6, 3])],
     call=lambda m, xs, kw: m(xs[0], xs[1], tgt_mask=causal(4), memory_key_padding_mask=xs[2]), train=True)
case('TransformerEncoder_2layer_masks', 'TransformerEncoder', dict(d=8, heads=2, ff=16, layers=2, batchFirst=True), lambda: nn.TransformerEncoder(nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, dropout=0.0, batch_first=True), 2, norm=nn.LayerNorm(8), enable_nested_tensor=False),
     [R(2, 5, 8), pad_mask(2, 5, [5, 3])], call=lambda m, xs, kw: m(xs[0], mask=causal(5), src_key_padding_mask=xs[1]), train=True)
case('Transformer_small', 'Transformer', dict(d=8, heads=2, ff=16, enc=2, dec=2, batchFirst=True), lambda: nn.Transformer(8, 2, 2, 2, 16, dropout=0.0, batch_first=True), [R(2, 5, 8), R(2, 4, 8)],
     call=lambda m, xs, kw: m(xs[0], xs[1], tgt_mask=causal(4)), train=True)

# --- losses (module 'Loss' with the functional name in args)
def loss(name, fn, args, inputs, call, nograd=()):
    case(name, 'Loss', dict(fn=fn, **args), lambda: nn.Identity(), inputs, call=lambda m, xs, kw: call(*xs), nograd=nograd)
t01 = lambda *s: torch.rand(*s)
loss('MSELoss', 'mseLoss', {}, [R(3, 4), R(3, 4)], lambda a, b: F.mse_loss(a, b))
loss('MSELoss_sum', 'mseLoss', dict(reduction='sum'), [R(3, 4), R(3, 4)], lambda a, b: F.mse_loss(a, b, reduction='sum'))
loss('L1Loss_none', 'l1Loss', dict(reduction='none'), [R(3, 4), R(3, 4)], lambda a, b: F.l1_loss(a, b, reduction='none'))
loss('SmoothL1Loss', 'smoothL1Loss', dict(beta=0.5), [R(3, 4), R(3, 4)], lambda a, b: F.smooth_l1_loss(a, b, beta=0.5))
loss('HuberLoss', 'huberLoss', dict(delta=0.7), [R(3, 4), R(3, 4)], lambda a, b: F.huber_loss(a, b, delta=0.7))
loss('BCELoss_weight', 'binaryCrossEntropy', {}, [t01(3, 4) * 0.98 + 0.01, t01(3, 4), t01(4)], lambda a, b, w: F.binary_cross_entropy(a, b, weight=w), nograd=(2,))
loss('BCEWithLogits_posweight', 'binaryCrossEntropyWithLogits', {}, [R(3, 4) * 3, (t01(3, 4) > 0.5).float(), t01(4) * 3], lambda a, b, pw: F.binary_cross_entropy_with_logits(a, b, pos_weight=pw), nograd=(2,))
loss('CrossEntropy', 'crossEntropy', {}, [R(5, 4), I(4, 5)], lambda a, b: F.cross_entropy(a, b))
loss('CrossEntropy_weight_smooth_ignore', 'crossEntropy', dict(labelSmoothing=0.2, ignoreIndex=2), [R(6, 4), torch.tensor([0, 2, 3, 1, 2, 3]), t01(4) + 0.5],
     lambda a, b, w: F.cross_entropy(a, b, weight=w, label_smoothing=0.2, ignore_index=2), nograd=(2,))
loss('CrossEntropy_smooth_ignore_noweight', 'crossEntropy', dict(labelSmoothing=0.1, ignoreIndex=0, reduction='sum'), [R(5, 3), torch.tensor([0, 2, 1, 1, 0])],
     lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1, ignore_index=0, reduction='sum'))
loss('CrossEntropy_probs', 'crossEntropy', dict(labelSmoothing=0.1), [R(3, 5), F.softmax(R(3, 5), 1)], lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1))
loss('CrossEntropy_spatial', 'crossEntropy', dict(reduction='none'), [R(2, 3, 4, 2), I(3, 2, 4, 2)], lambda a, b: F.cross_entropy(a, b, reduction='none'))
loss('NLLLoss_weight', 'nllLoss', {}, [F.log_softmax(R(5, 3), 1), I(3, 5), t01(3) + 0.5], lambda a, b, w: F.nll_loss(a, b, weight=w), nograd=(2,))
loss('HingeEmbedding', 'hingeEmbeddingLoss', dict(margin=0.5), [R(3, 4), torch.randint(0, 2, (3, 4)).float() * 2 - 1], lambda a, b: F.hinge_embedding_loss(a, b, margin=0.5))
loss('MultiMargin', 'multiMarginLoss', {}, [R(4, 5), I(5, 4)], lambda a, b: F.multi_margin_loss(a, b))
loss('MultiMargin_p2_weight', 'multiMarginLoss', dict(p=2, margin=0.5), [R(4, 5), I(5, 4), t01(5)], lambda a, b, w: F.multi_margin_loss(a, b, p=2, margin=0.5, weight=w), nograd=(2,))
loss('KLDiv_batchmean', 'klDiv', dict(reduction='batchmean'), [F.log_softmax(R(3, 4), 1), F.softmax(R(3, 4), 1)], lambda a, b: F.kl_div(a, b, reduction='batchmean'))
loss('KLDiv_logtarget', 'klDiv', dict(reduction='sum', logTarget=True), [F.log_softmax(R(3, 4), 1), F.log_softmax(R(3, 4), 1)], lambda a, b: F.kl_div(a, b, reduction='sum', log_target=True))
loss('CosineEmbedding', 'cosineEmbeddingLoss', dict(margin=0.1), [R(4, 5), R(4, 5), torch.tensor([1., -1., 1., -1.])], lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.1))

# --- issue 12's layers. Their inputs come from a generator of their own, so the earlier cases keep
# their random draws (and the fixture's earlier entries stay byte-identical).
G2 = torch.Generator().manual_seed(12)
R2 = lambda *s: torch.randn(*s, generator=G2)
case('RNNCell', 'RNNCell', dict(inp=3, hid=4), lambda: nn.RNNCell(3, 4), [R2(2, 3), R2(2, 4)])
case('RNNCell_relu_unbatched', 'RNNCell', dict(inp=3, hid=2, nonlinearity='relu'), lambda: nn.RNNCell(3, 2, nonlinearity='relu'), [R2(3)])
case('LSTMCell', 'LSTMCell', dict(inp=3, hid=4), lambda: nn.LSTMCell(3, 4), [R2(2, 3), R2(2, 4), R2(2, 4)],
     call=lambda m, xs, kw: list(m(xs[0], (xs[1], xs[2]))))
case('GRUCell', 'GRUCell', dict(inp=3, hid=4), lambda: nn.GRUCell(3, 4), [R2(2, 3)])
case('GRUCell_nobias_state', 'GRUCell', dict(inp=2, hid=3, bias=False), lambda: nn.GRUCell(2, 3, bias=False), [R2(4, 2), R2(4, 3)])
case('Upsample_nearest', 'Upsample', dict(scaleFactor=2, mode='nearest'), lambda: nn.Upsample(scale_factor=2, mode='nearest'), [R2(1, 2, 3, 3)])
case('Upsample_bilinear_size', 'Upsample', dict(size=[5, 4], mode='bilinear'), lambda: nn.Upsample(size=(5, 4), mode='bilinear', align_corners=False), [R2(2, 1, 3, 3)])
case('Upsample_bilinear_corners', 'Upsample', dict(scaleFactor=2, mode='bilinear', alignCorners=True), lambda: nn.Upsample(scale_factor=2, mode='bilinear', align_corners=True), [R2(1, 2, 2, 3)])
case('PixelShuffle', 'PixelShuffle', dict(r=2), lambda: nn.PixelShuffle(2), [R2(1, 8, 2, 3)])
case('PixelUnshuffle', 'PixelUnshuffle', dict(r=2), lambda: nn.PixelUnshuffle(2), [R2(2, 2, 4, 6)])
case('PReLU', 'PReLU', dict(n=1), lambda: nn.PReLU(), [R2(2, 3, 4)])
case('PReLU_channels', 'PReLU', dict(n=3, init=0.1), lambda: nn.PReLU(3, 0.1), [R2(2, 3, 4)])
case('InstanceNorm1d', 'InstanceNorm1d', dict(n=3), lambda: nn.InstanceNorm1d(3), [R2(2, 3, 5)])
case('InstanceNorm2d_affine', 'InstanceNorm2d', dict(n=3, affine=True), lambda: nn.InstanceNorm2d(3, affine=True), [R2(2, 3, 4, 4)])
case('Conv3d', 'Conv3d', dict(cin=2, cout=3, k=[2, 3, 2], stride=[1, 2, 1], padding=1), lambda: nn.Conv3d(2, 3, (2, 3, 2), stride=(1, 2, 1), padding=1), [R2(1, 2, 4, 5, 4)])
case('MaxPool3d', 'MaxPool3d', dict(k=2, stride=1), lambda: nn.MaxPool3d(2, stride=1), [R2(1, 2, 3, 4, 4)])
case('AvgPool3d', 'AvgPool3d', dict(k=[2, 2, 1]), lambda: nn.AvgPool3d((2, 2, 1)), [R2(1, 1, 4, 4, 3)])
case('AdaptiveMaxPool2d_uneven', 'AdaptiveMaxPool2d', dict(out=[3, 2]), lambda: nn.AdaptiveMaxPool2d((3, 2)), [R2(2, 3, 5, 7)])
case('AdaptiveMaxPool2d_even', 'AdaptiveMaxPool2d', dict(out=[2, 2]), lambda: nn.AdaptiveMaxPool2d(2), [R2(1, 2, 4, 6)])
case('AdaptiveMaxPool1d', 'AdaptiveMaxPool1d', dict(out=3), lambda: nn.AdaptiveMaxPool1d(3), [R2(2, 2, 7)])

cases = []
for c in CASES:
    torch.manual_seed(len(cases) + 1)
    m = c['build']()
    m.train(c['train'])
    state = {k: enc(v) for k, v in m.state_dict().items()}
    leaves = [x.clone().requires_grad_(x.is_floating_point() and i not in c['nograd']) for i, x in enumerate(c['inputs'])]
    outs = flat_outputs(c['call'](m, leaves, c['kwargs']))
    gouts = [torch.randn(o.shape) if o.is_floating_point() else None for o in outs]
    total = sum((o * g).sum() for o, g in zip(outs, gouts) if g is not None and o.requires_grad)
    total.backward()
    cases.append({
        'name': c['name'], 'module': c['module'], 'args': c['args'], 'train': c['train'], 'kwargs': c['kwargs'],
        'state': state,
        'inputs': [enc(x) for x in c['inputs']],
        'nograd': list(c['nograd']),
        'outputs': [enc(o) for o in outs],
        'gradOutputs': [enc(g) if g is not None else None for g in gouts],
        'inputGrads': [enc(l.grad) if l.grad is not None else None for l in leaves],
        'paramGrads': {k: enc(p.grad) for k, p in m.named_parameters() if p.grad is not None},
        'stateAfter': {k: enc(v) for k, v in m.state_dict().items()} if c['train'] else None,
    })

with open(OUT, 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__}, scripts/gen_nn_fixtures.py', 'cases': cases}, f, separators=(',', ':'))
print(f'wrote {len(cases)} cases to {os.path.normpath(OUT)}')
