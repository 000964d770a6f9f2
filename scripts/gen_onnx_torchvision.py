"""Exports torchvision's classic CNNs to ONNX (torch.onnx.export, opset 17, eval mode) as graph files
whose large tensors are external data (`weights.bin`, not committed): the tests write those bytes
themselves from a fixed formula (test/helpers/onnx-weights.ts) and compare Axon with onnxruntime-node
on them, so the repository holds only the graphs. Also exports a 2-layer BERT-style encoder.

    apt-get install python3-torch python3-torchvision python3-onnx
    /usr/bin/python3 scripts/gen_onnx_torchvision.py
"""
import os
import sys

import onnx
import torch
import torchvision

OUT = "test/fixtures/onnx-models"

MODELS = {
    # name: (constructor, input size); AlexNet and VGG pool to a fixed size with a kernel that
    # follows the input, so only their batch is dynamic; the others take any image size.
    "resnet18": (lambda: torchvision.models.resnet18(), 64),
    "mobilenet_v2": (lambda: torchvision.models.mobilenet_v2(), 64),
    "mobilenet_v3_small": (lambda: torchvision.models.mobilenet_v3_small(), 64),
    "squeezenet1_1": (lambda: torchvision.models.squeezenet1_1(), 64),
    "shufflenet_v2_x0_5": (lambda: torchvision.models.shufflenet_v2_x0_5(), 64),
    "densenet121": (lambda: torchvision.models.densenet121(), 64),
    "efficientnet_b0": (lambda: torchvision.models.efficientnet_b0(), 64),
    "googlenet": (lambda: torchvision.models.googlenet(aux_logits=False, init_weights=True), 64),
    "inception_v3": (lambda: torchvision.models.inception_v3(aux_logits=False, init_weights=True), 96),
    "alexnet": (lambda: torchvision.models.alexnet(), 224),
    "vgg11": (lambda: torchvision.models.vgg11(), 224),
}


class Bert(torch.nn.Module):
    """A BERT-style encoder as Hugging Face writes it: token + position + type embeddings,
    LayerNorm, post-norm Transformer blocks with GELU, attention mask from the input."""

    def __init__(self, vocab=100, d=64, heads=4, layers=2, max_len=128):
        super().__init__()
        self.tok = torch.nn.Embedding(vocab, d)
        self.pos = torch.nn.Embedding(max_len, d)
        self.typ = torch.nn.Embedding(2, d)
        self.norm = torch.nn.LayerNorm(d)
        layer = torch.nn.TransformerEncoderLayer(d, heads, 4 * d, dropout=0.1, activation="gelu", batch_first=True)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.pool = torch.nn.Linear(d, d)

    def forward(self, ids, mask):
        n = ids.shape[1]
        pos = torch.arange(n, device=ids.device).unsqueeze(0)
        x = self.norm(self.tok(ids) + self.pos(pos) + self.typ(torch.zeros_like(ids)))
        x = self.encoder(x, src_key_padding_mask=mask == 0)
        return torch.tanh(self.pool(x[:, 0]))


def externalize(path):
    model = onnx.load(path)
    onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                    location="weights.bin", size_threshold=1024)
    os.remove(os.path.join(os.path.dirname(path), "weights.bin"))


def main():
    names = sys.argv[1:] or list(MODELS) + ["bert", "digits_mlp"]
    os.makedirs(OUT, exist_ok=True)
    torch.manual_seed(0)
    for name in names:
        folder = os.path.join(OUT, name)
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, "model.onnx")
        if name == "digits_mlp":
            model = torch.nn.Sequential(torch.nn.Linear(64, 128), torch.nn.ReLU(), torch.nn.Linear(128, 64),
                                        torch.nn.ReLU(), torch.nn.Linear(64, 10)).eval()
            torch.onnx.export(model, torch.randn(1, 64), path, opset_version=17, input_names=["pixels"],
                              output_names=["logits"], dynamic_axes={"pixels": {0: "batch"}})
        elif name == "bert":
            model = Bert().eval()
            ids = torch.randint(0, 100, (2, 16))
            mask = torch.ones(2, 16, dtype=torch.long)
            torch.onnx.export(model, (ids, mask), path, opset_version=17, input_names=["input_ids", "attention_mask"],
                              output_names=["pooled"], dynamic_axes={"input_ids": {0: "batch", 1: "seq"},
                                                                     "attention_mask": {0: "batch", 1: "seq"}})
        else:
            make, size = MODELS[name]
            model = make().eval()
            axes = {0: "batch"} if name in ("alexnet", "vgg11") else {0: "batch", 2: "height", 3: "width"}
            torch.onnx.export(model, torch.randn(1, 3, size, size), path, opset_version=17,
                              input_names=["images"], output_names=["logits"],
                              dynamic_axes={"images": axes, "logits": {0: "batch"}})
        externalize(path)
        m = onnx.load(path, load_external_data=False)
        ops = sorted({n.op_type for n in m.graph.node})
        print(f"{name}: {os.path.getsize(path)} bytes, {len(m.graph.node)} nodes, ops {' '.join(ops)}")


main()
