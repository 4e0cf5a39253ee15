"""The d2l.ai GoogLeNet (Fashion-MNIST, 1x96x96 input, 10 classes).

This is the network the seed document describes, with its typos fixed the way
d2l intends (see DESIGN.md): ReLU after every convolution (stem included),
`InceptionBlock` everywhere, and b5 ending in global average pooling + flatten
before the final Linear layer.

`googlenet(divisor=k)` builds the same topology with every channel count
(including the 1024-wide feature vector) divided by k, so tests can carry a
small model with the full graph structure.
"""

import torch
from torch import nn
from torch.nn import functional as F


class InceptionBlock(nn.Module):
    """Four parallel paths concatenated on the channel axis.

    c1: 1x1 conv; c2 = (1x1 reduce, 3x3); c3 = (1x1 reduce, 5x5);
    c4: 3x3/s1 max-pool then 1x1 conv. Output channels: c1 + c2[1] + c3[1] + c4.
    """

    def __init__(self, in_channels, c1, c2, c3, c4, **kwargs):
        super().__init__(**kwargs)
        # Path 1: a single 1x1 convolution
        self.p1_1 = nn.Conv2d(in_channels, c1, kernel_size=1)
        # Path 2: 1x1 convolution followed by a 3x3 convolution
        self.p2_1 = nn.Conv2d(in_channels, c2[0], kernel_size=1)
        self.p2_2 = nn.Conv2d(c2[0], c2[1], kernel_size=3, padding=1)
        # Path 3: 1x1 convolution followed by a 5x5 convolution
        self.p3_1 = nn.Conv2d(in_channels, c3[0], kernel_size=1)
        self.p3_2 = nn.Conv2d(c3[0], c3[1], kernel_size=5, padding=2)
        # Path 4: 3x3 max pooling followed by a 1x1 convolution
        self.p4_1 = nn.MaxPool2d(kernel_size=3, stride=1, padding=1)
        self.p4_2 = nn.Conv2d(in_channels, c4, kernel_size=1)

    def forward(self, x):
        p1 = F.relu(self.p1_1(x))
        p2 = F.relu(self.p2_2(F.relu(self.p2_1(x))))
        p3 = F.relu(self.p3_2(F.relu(self.p3_1(x))))
        p4 = F.relu(self.p4_2(self.p4_1(x)))
        return torch.cat((p1, p2, p3, p4), dim=1)


def googlenet(in_channels=1, num_classes=10, divisor=1):
    """Build the d2l GoogLeNet as an nn.Sequential(b1, b2, b3, b4, b5, Linear).

    Every internal channel count is divided by `divisor` (integer division,
    at least 1); `in_channels` and `num_classes` are left as given.
    """
    if divisor < 1:
        raise ValueError("divisor must be >= 1")

    def c(n):
        return max(1, n // divisor)

    # Each block's input width is the previous block's actual output width
    # (c1 + c2[1] + c3[1] + c4 after division), so any divisor gives a
    # consistent graph; for divisors 1, 2, 4 and 8 it equals c(original).
    width = [c(192)]

    def block(c1, c2, c3, c4):
        b = InceptionBlock(width[0], c(c1), (c(c2[0]), c(c2[1])),
                           (c(c3[0]), c(c3[1])), c(c4))
        width[0] = c(c1) + c(c2[1]) + c(c3[1]) + c(c4)
        return b

    # b1: 7x7/2 conv + ReLU + 3x3/2 max-pool; 1x96x96 -> 64x24x24
    b1 = nn.Sequential(
        nn.Conv2d(in_channels, c(64), kernel_size=7, stride=2, padding=3),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    # b2: 1x1 conv + ReLU, 3x3 conv + ReLU, 3x3/2 max-pool; -> 192x12x12
    b2 = nn.Sequential(
        nn.Conv2d(c(64), c(64), kernel_size=1),
        nn.ReLU(),
        nn.Conv2d(c(64), c(192), kernel_size=3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    # b3: 2 Inception blocks + max-pool; -> 480x6x6
    b3 = nn.Sequential(
        block(64, (96, 128), (16, 32), 32),
        block(128, (128, 192), (32, 96), 64),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    # b4: 5 Inception blocks + max-pool; -> 832x3x3
    b4 = nn.Sequential(
        block(192, (96, 208), (16, 48), 64),
        block(160, (112, 224), (24, 64), 64),
        block(128, (128, 256), (24, 64), 64),
        block(112, (144, 288), (32, 64), 64),
        block(256, (160, 320), (32, 128), 128),
        nn.MaxPool2d(kernel_size=3, stride=2, padding=1))
    # b5: 2 Inception blocks + global average pool + flatten; -> 1024
    b5 = nn.Sequential(
        block(256, (160, 320), (32, 128), 128),
        block(384, (192, 384), (48, 128), 128),
        nn.AdaptiveAvgPool2d((1, 1)),
        nn.Flatten())
    # Classifier: 1024 (= c(1024) for the usual divisors) -> num_classes
    return nn.Sequential(b1, b2, b3, b4, b5, nn.Linear(width[0], num_classes))
