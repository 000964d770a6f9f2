#!/usr/bin/env python3
"""Loads test/fixtures/axon-written.safetensors (written by Axon: scripts/write_axon_safetensors.ts)
into the same architecture in PyTorch with load_state_dict(strict=True), runs it on the recorded
input, checks PyTorch's output against Axon's and records it in axon-written.json.
The file is read by the format description (Debian has no python3-safetensors): u64 LE header
length, JSON header, raw little-endian data at the given offsets. Dev-only: /usr/bin/python3 with
python3-torch."""
import json, os, struct
import torch

HERE = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
DTYPES = {'F32': torch.float32, 'F64': torch.float64, 'I32': torch.int32, 'I64': torch.int64, 'BOOL': torch.bool}

with open(os.path.join(HERE, 'axon-written.safetensors'), 'rb') as f:
    raw = f.read()
(n,) = struct.unpack('<Q', raw[:8])
header = json.loads(raw[8:8 + n])
assert n % 8 == 0, 'header padded to 8 bytes'
metadata = header.pop('__metadata__', {})
data = raw[8 + n:]
state, end = {}, 0
for name, info in sorted(header.items(), key=lambda kv: kv[1]['data_offsets'][0]):
    b, e = info['data_offsets']
    assert b == end, f'{name}: offsets must be contiguous'
    end = e
    state[name] = torch.frombuffer(bytearray(data[b:e]), dtype=DTYPES[info['dtype']]).reshape(info['shape']) if e > b else torch.zeros(info['shape'], dtype=DTYPES[info['dtype']])
assert end == len(data), 'no trailing bytes'
# PyTorch keeps num_batches_tracked as int64; Axon stores int32 (safetensors I32).
state = {k: (v.long() if k.endswith('num_batches_tracked') else v) for k, v in state.items()}
model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.ReLU(), torch.nn.Linear(3, 2))
model.load_state_dict(state, strict=True)
model.eval()
with open(os.path.join(HERE, 'axon-written.json')) as f:
    fixture = json.load(f)
out = model(torch.tensor(fixture['input'])).detach()
diff = (out - torch.tensor(fixture['axonOutput'])).abs().max().item()
assert diff < 1e-5, f'PyTorch and Axon outputs differ by {diff}'
fixture['torchOutput'] = out.tolist()
fixture['checkedBy'] = f'PyTorch {torch.__version__}, scripts/check_axon_safetensors.py: load_state_dict(strict=True) ok, metadata {metadata}, max |Δ| {diff:.2e}'
with open(os.path.join(HERE, 'axon-written.json'), 'w') as f:
    json.dump(fixture, f, indent=1)
print(fixture['checkedBy'])
