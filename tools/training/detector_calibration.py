"""Peak thresholds of an exported hair detector, picked on validation patients with the same
inference the product runs: the ONNX file itself (OpenCV's ONNX importer) and, with `d4`, the
average of the heatmaps over the 8 rotations and flips of the frame (the dihedral group D4),
which makes the count exactly invariant to 90-degree rotations and flips of the frame. The
C# decoder (Detection/LearnedHairDetector) averages the same way when the model's metadata
`smpvision.test_time_augmentation` says `d4`."""
import cv2
import numpy as np


class OnnxDetector:
    def __init__(self, path):
        cv2.setNumThreads(1)
        self.net = cv2.dnn.readNetFromONNX(path)

    def heat(self, rgb):
        x = ((rgb.astype(np.float32) / 255 - 0.5) / 0.25).transpose(2, 0, 1)[None].copy()
        self.net.setInput(x, "image")
        return self.net.forward(["heatmap"])[0][0]

    def heat_d4(self, rgb):
        acc = np.zeros((2,) + tuple(s // 2 for s in rgb.shape[:2]), np.float32)
        for k in range(4):
            for flip in (False, True):
                im = np.rot90(rgb, k)
                im = im[:, ::-1] if flip else im
                h = self.heat(np.ascontiguousarray(im))
                h = h[:, :, ::-1] if flip else h
                acc += np.rot90(h, -k, axes=(1, 2))
        return acc / 8


def peak_scores(heat):
    """Scores of the 3x3 local maxima of each heatmap channel (>= 0.1)."""
    out = []
    for ch in heat:
        m = cv2.dilate(ch.astype(np.float32), np.ones((3, 3), np.uint8))
        out.append(ch[(ch == m) & (ch >= 0.1)])
    return out
