"""Real trichoscopy frames and their hair boxes, prepared for the hair-detector trainer.

Reads every data set given (manifest.csv + hairs.csv, the format of ../shared/data/trichoscopy-*),
resizes each frame to the model's input scale (INTER_AREA, factor 1/4 of the 361 px/mm frames:
90.25 px/mm) and derives the weak targets from the boxes (see models/README.md, hair detector):
- hair centres: the centre of each box;
- follicular-unit centres: boxes labelled `premium` that overlap are one unit (the annotators'
  convention, data README); every other box is a unit of its own; the unit centre is the mean of
  its hairs' centres;
- shaft mask: dark thin structure (black-hat, Otsu) inside the union of the boxes.
Nothing here is tuned on any frame; the same code runs for every fold.
"""
import csv
import hashlib
import os

import cv2
import numpy as np

FULL_PPM = 361.0
INPUT_FACTOR = 4  # 1280x1024 -> 320x256
INPUT_PPM = FULL_PPM / INPUT_FACTOR


def _units(boxes, labels):
    """Union-find over overlapping premium boxes: one id per follicular unit."""
    n = len(boxes)
    parent = list(range(n))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(n):
        if labels[i] != "premium":
            continue
        for j in range(i + 1, n):
            if labels[j] != "premium":
                continue
            a, b = boxes[i], boxes[j]
            if min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1]):
                parent[find(i)] = find(j)
    return [find(i) for i in range(n)]


def _shaft_mask(rgb_small, boxes_small):
    """Soft shaft target at input scale: black-hat darkness, Otsu inside the boxes' union."""
    grey = cv2.cvtColor(rgb_small, cv2.COLOR_RGB2GRAY)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (17, 17))  # wider than the thickest shaft at 90 px/mm (~10 px)
    hat = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, kernel)
    inside = np.zeros(grey.shape, np.uint8)
    for x0, y0, x1, y1 in boxes_small:
        cv2.rectangle(inside, (int(np.floor(x0)), int(np.floor(y0))), (int(np.ceil(x1)), int(np.ceil(y1))), 1, -1)
    mask = np.zeros(grey.shape, np.uint8)
    vals = hat[inside > 0]
    if vals.size > 20:
        t, _ = cv2.threshold(vals.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        mask[(hat > max(t, 8)) & (inside > 0)] = 1
    return mask


def load_sets(data_dirs):
    """Every frame of the given sets: dict with rgb (HxWx3 uint8 at INPUT_PPM), boxes, units, mask."""
    frames = []
    for d in data_dirs:
        boxes_by_image = {}
        with open(os.path.join(d, "hairs.csv"), newline="") as fh:
            for r in csv.DictReader(fh):
                boxes_by_image.setdefault(r["image"], []).append(
                    ([float(r["x_min"]), float(r["y_min"]), float(r["x_max"]), float(r["y_max"])], r["label"]))
        with open(os.path.join(d, "manifest.csv"), newline="") as fh:
            for r in csv.DictReader(fh):
                frames.append(_load_frame(d, r, boxes_by_image.get(r["image"], [])))
    return frames


def _load_frame(d, row, annotated):
    bgr = cv2.imread(os.path.join(d, row["image"]), cv2.IMREAD_COLOR)
    factor = float(row["pixels_per_mm"]) / INPUT_PPM
    size = (int(round(bgr.shape[1] / factor)), int(round(bgr.shape[0] / factor)))
    small = cv2.cvtColor(cv2.resize(bgr, size, interpolation=cv2.INTER_AREA), cv2.COLOR_BGR2RGB)
    boxes = np.array([b for b, _ in annotated], np.float32).reshape(-1, 4) / factor
    labels = [lab for _, lab in annotated]
    unit_ids = _units(boxes.tolist(), labels)
    centres = np.stack([(boxes[:, 0] + boxes[:, 2]) / 2, (boxes[:, 1] + boxes[:, 3]) / 2], 1) if len(boxes) else np.zeros((0, 2), np.float32)
    unit_centres = np.array([centres[[i for i, u in enumerate(unit_ids) if u == uid]].mean(0) for uid in sorted(set(unit_ids))], np.float32).reshape(-1, 2)
    return {
        "image": row["image"], "set": os.path.basename(os.path.normpath(d)), "patient": row["patient"],
        "hand": int(row["hairs"]), "rgb": small, "boxes": boxes, "centres": centres.astype(np.float32),
        "unit_centres": unit_centres, "mask": _shaft_mask(small, boxes),
    }


def patient_folds(frames, k, seed=0):
    """Patient -> fold (0..k-1): patients sorted by a salted hash, dealt round-robin (balanced, reproducible)."""
    patients = sorted({f["patient"] for f in frames}, key=lambda p: hashlib.sha256(f"{seed}:{p}".encode()).hexdigest())
    return {p: i % k for i, p in enumerate(patients)}
