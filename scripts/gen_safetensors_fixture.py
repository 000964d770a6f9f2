#!/usr/bin/env python3
"""Writes test/fixtures/python.safetensors (a PyTorch state dict plus tensors of every common dtype,
in the safetensors layout: u64 LE header length, JSON header padded with spaces to 8 bytes, data in
header order) and test/fixtures/python.safetensors.json with the expected values.
Debian has no python3-safetensors, so the writer follows the format description directly.
Dev-only: /usr/bin/python3 with python3-torch."""
import json, os, struct
import torch

HERE = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
model.train()
model(torch.randn(4, 3))  # moves running stats, num_batches_tracked = 1 (int64)
tensors = {k: v.detach().clone() for k, v in model.state_dict().items()}
tensors['extra.f64'] = torch.randn(2, 2, dtype=torch.float64)
tensors['extra.f16'] = torch.tensor([0.5, -2.0, 65504.0, 1e-4], dtype=torch.float16)
tensors['extra.bf16'] = torch.tensor([1.5, -3.25, 1e30], dtype=torch.bfloat16)
tensors['extra.i32'] = torch.tensor([[1, -2], [3, 2**31 - 1]], dtype=torch.int32)
tensors['extra.bool'] = torch.tensor([True, False, True])
tensors['extra.empty'] = torch.zeros(0, 3)

CODES = {torch.float32: 'F32', torch.float64: 'F64', torch.float16: 'F16', torch.bfloat16: 'BF16', torch.int64: 'I64', torch.int32: 'I32', torch.bool: 'BOOL'}
header, blobs, offset = {'__metadata__': {'format': 'pt'}}, [], 0
for name in sorted(tensors):
    t = tensors[name].contiguous()
    raw = t.view(torch.int16).numpy().tobytes() if t.dtype == torch.bfloat16 else t.numpy().tobytes()
    header[name] = {'dtype': CODES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
    blobs.append(raw)
    offset += len(raw)
head = json.dumps(header, separators=(',', ':')).encode()
head += b' ' * ((8 - (len(head) + 8) % 8) % 8)
with open(os.path.join(HERE, 'python.safetensors'), 'wb') as f:
    f.write(struct.pack('<Q', len(head)) + head + b''.join(blobs))
expected = {k: {'shape': list(v.shape), 'values': v.float().flatten().tolist() if v.is_floating_point() else v.flatten().int().tolist() if v.dtype != torch.bool else [bool(x) for x in v.flatten().tolist()]} for k, v in tensors.items()}
with open(os.path.join(HERE, 'python.safetensors.json'), 'w') as f:
    json.dump({'generator': f'PyTorch {torch.__version__}, scripts/gen_safetensors_fixture.py', 'tensors': expected}, f)
print('wrote python.safetensors with', len(tensors), 'tensors')
