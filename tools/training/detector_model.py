"""The hair detector network: a small fully convolutional encoder-decoder (see models/README.md).

Input  `image`   float32 [1, 3, H, W]: RGB at 90.25 px/mm (H, W multiples of 8), (x/255 - 0.5) / 0.25.
Output `heatmap` float32 [1, 2, H/2, W/2]: sigmoid scores of hair centres (0) and follicular-unit
                 centres (1);
       `size`    float32 [1, 2, H/2, W/2]: log of the hair box width and height in output cells
                 (read at a hair centre);
       `shaft`   float32 [1, 1, H/2, W/2]: sigmoid shaft-pixel probability.
"""
import torch
from torch import nn
import torch.nn.functional as F


def _block(cin, cout, stride=1, dilation=1):
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, padding=dilation, dilation=dilation, bias=False),
        nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True))


class HairDetector(nn.Module):
    def __init__(self, w=16):
        super().__init__()
        self.s2 = nn.Sequential(_block(3, w, 2), _block(w, w))                       # 1/2
        self.s4 = nn.Sequential(_block(w, 2 * w, 2), _block(2 * w, 2 * w))           # 1/4
        self.s8 = nn.Sequential(_block(2 * w, 4 * w, 2), _block(4 * w, 4 * w), _block(4 * w, 4 * w, dilation=2))  # 1/8
        self.lat8 = nn.Conv2d(4 * w, 2 * w, 1)
        self.up4 = _block(2 * w, 2 * w)
        self.lat4 = nn.Conv2d(2 * w, w, 1)
        self.up2 = _block(w, w)
        self.heatmap = nn.Conv2d(w, 2, 1)
        self.size = nn.Conv2d(w, 2, 1)
        self.shaft = nn.Conv2d(w, 1, 1)
        nn.init.constant_(self.heatmap.bias, -2.19)  # prior ~0.1, the CenterNet start

    def forward(self, x):
        f2 = self.s2(x)
        f4 = self.s4(f2)
        f8 = self.s8(f4)
        u4 = self.up4(F.interpolate(self.lat8(f8), scale_factor=2.0, mode="nearest") + f4)
        u2 = self.up2(F.interpolate(self.lat4(u4), scale_factor=2.0, mode="nearest") + f2)
        return torch.sigmoid(self.heatmap(u2)), self.size(u2), torch.sigmoid(self.shaft(u2))
