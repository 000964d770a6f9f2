"""Trains a small fully convolutional CNN in PyTorch on the shipped 8×8 digits (upsampled to 28×28,
so its filters see strokes at the scale of MNIST-style images), and exports it with torch.onnx.export
(opset 17, dynamic batch and image size) to examples/models/digits-cnn.onnx: the pre-trained model
that examples/onnx-finetune.ts imports and fine-tunes on Fashion-MNIST.

    apt-get install python3-torch python3-onnx
    /usr/bin/python3 scripts/train_digits_cnn.py
"""
import csv

import torch
import torch.nn.functional as F

torch.manual_seed(0)
rows = list(csv.reader(open("data/digits.csv")))[1:]
x = torch.tensor([[float(v) for v in r[:64]] for r in rows]).reshape(-1, 1, 8, 8) / 16.0
y = torch.tensor([int(r[64]) for r in rows])
x = F.interpolate(x, size=(28, 28), mode="bilinear", align_corners=False)
perm = torch.randperm(len(x))
train, test = perm[:1500], perm[1500:]


class DigitsCNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.features = torch.nn.Sequential(
            torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.BatchNorm2d(16), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(16, 32, 3, padding=1), torch.nn.BatchNorm2d(32), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
            torch.nn.Conv2d(32, 64, 3, padding=1), torch.nn.BatchNorm2d(64), torch.nn.ReLU(),
            torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten())
        self.classifier = torch.nn.Linear(64, 10)

    def forward(self, images):
        return self.classifier(self.features(images))


model = DigitsCNN()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
for epoch in range(15):
    model.train()
    for i in range(0, len(train), 64):
        idx = train[i:i + 64]
        opt.zero_grad()
        F.cross_entropy(model(x[idx]), y[idx]).backward()
        opt.step()
model.eval()
with torch.no_grad():
    acc = (model(x[test]).argmax(1) == y[test]).float().mean().item()
print(f"digits CNN: test accuracy {acc:.3f} on {len(test)} held-out digits")
torch.onnx.export(model, x[:1], "examples/models/digits-cnn.onnx", opset_version=17, input_names=["images"],
                  output_names=["logits"], dynamic_axes={"images": {0: "batch", 2: "height", 3: "width"},
                                                         "logits": {0: "batch"}})
