"""OCR of images with RapidOCR (PP-OCR models shipped in the wheel), with page orientation handling.

One engine per process (:meth:`OcrEngine.shared`), loaded lazily once; inference is serialised (one
image at a time keeps a 2-core machine responsive). An image is read in one detection and one
recognition pass:

1. **detect** text boxes on a copy scaled to at most ``det_side`` pixels (text lines of a document
   photo stay well above the detector's needs; the cost falls with the square of the side);
2. **orient**: the angle classifier votes on a few of the longest lines (cut as the detector's crops
   are: a tall line is turned a quarter) and the boxes' shape says whether the page lies sideways;
   the page's turn follows without reading anything twice;
3. **recognise** every box, cut from the image at up to ``max_side`` pixels and turned upright, in
   upright reading order. Only when the result is poor and the vote was unsure are the other turns
   recognised too (from the same boxes) and the best kept.

The classifier is not applied to every line: on long upright lines it often says "180" and flips them,
losing the line (10 of 30 lines on a clean rendered A4 page).
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

import numpy as np
from PIL import Image

from assistant.prereview.models import OcrLine

Box = tuple[tuple[float, float], ...]
STAGES = ("prepare", "detect", "orient", "recognise")  # keys of OcrResult.stage_seconds


@dataclass
class OcrResult:
    """Lines read from one image, top to bottom; boxes are in the upright image at original resolution."""

    lines: list[OcrLine] = field(default_factory=list)
    rotation: int = 0  # degrees counter-clockwise the image was turned to read upright (PIL's convention)
    seconds: float = 0.0
    passes: int = 0  # recognition passes over the boxes (1 unless the orientation was unsure)
    boxes: list[Box] = field(default_factory=list, repr=False)  # every detected box, read or not
    stage_seconds: dict[str, float] = field(default_factory=dict)  # STAGES → seconds

    @property
    def text(self) -> str:
        return "\n".join(line.text for line in self.lines)

    @property
    def quality(self) -> float:
        """Confidence-weighted character count."""
        return sum(len(line.text.strip()) * line.score for line in self.lines)

    @property
    def chars(self) -> int:
        return sum(len(line.text.strip()) for line in self.lines)


class TextReader(Protocol):
    """What extraction needs from an OCR engine (the real one, or a fake in tests)."""

    def recognise(self, image: Image.Image) -> OcrResult: ...


class OcrEngine:
    """RapidOCR behind a lazy, thread-safe facade; use :meth:`shared` for the per-process instance."""

    _shared: ClassVar[OcrEngine | None] = None
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(
        self,
        *,
        threads: int = 2,
        max_side: int = 2000,
        det_side: int = 1280,
        min_chars: int = 4,
        min_mean_score: float = 0.6,
        min_line_score: float = 0.5,
    ) -> None:
        self.threads = threads
        self.max_side = max_side
        self.det_side = det_side
        self.min_chars = min_chars
        self.min_mean_score = min_mean_score
        self.min_line_score = min_line_score
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @classmethod
    def shared(cls, **options: Any) -> OcrEngine:
        """The process-wide engine (created on first use with ``options``; models load on the first image)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls(**options)
            return cls._shared

    def read(self, image: Image.Image) -> list[OcrLine]:
        """The text lines of ``image``, top to bottom."""
        return self.recognise(image).lines

    def recognise(self, image: Image.Image) -> OcrResult:
        """Read ``image`` (any mode, any size), turning it when it is sideways or upside down."""
        started = time.perf_counter()
        rgb = to_rgb(image)
        factor = min(1.0, self.max_side / max(rgb.size))
        if factor < 1.0:
            rgb = _scaled(rgb, factor)
        bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
        stages = dict.fromkeys(STAGES, 0.0)
        with self._run_lock:
            rapid = self._rapid()
            stage = time.perf_counter()
            stages["prepare"] = stage - started
            boxes = self._detect(rapid, rgb)
            stages["detect"] = time.perf_counter() - stage
            best = OcrResult()
            tried: list[int] = []
            if boxes:
                stage = time.perf_counter()
                turn, confident = self._probe_turn(rapid, bgr, boxes)
                stages["orient"] = time.perf_counter() - stage
                stage = time.perf_counter()
                best = self._read_turned(rapid, bgr, boxes, turn, factor)
                tried.append(turn)
                if self._poor(best) and not confident:
                    for other in (0, 180, 90, 270):
                        if other in tried:
                            continue
                        tried.append(other)
                        candidate = self._read_turned(rapid, bgr, boxes, other, factor)
                        if candidate.quality > best.quality:
                            best = candidate
                        if not self._poor(best):
                            break
                stages["recognise"] = time.perf_counter() - stage
        best.passes = len(tried)
        best.stage_seconds = stages
        best.seconds = time.perf_counter() - started
        return best

    def _rapid(self) -> Any:
        if self._engine is None:
            with self._load_lock:
                if self._engine is None:
                    from rapidocr_onnxruntime import RapidOCR

                    self._engine = RapidOCR(
                        intra_op_num_threads=self.threads,
                        inter_op_num_threads=1,
                        det_limit_type="max",
                        max_side_len=self.max_side,
                    )
        return self._engine

    def _detect(self, rapid: Any, rgb: Image.Image) -> list[np.ndarray]:
        """Text boxes (4×2 float32, clockwise from top-left) in the coordinates of ``rgb``."""
        factor = min(1.0, self.det_side / max(rgb.size))
        small = _scaled(rgb, factor) if factor < 1.0 else rgb
        image = np.ascontiguousarray(np.asarray(small)[:, :, ::-1])
        height, width = image.shape[:2]
        # As RapidOCR's own call: tiny sides are enlarged, very wide strips padded, boxes mapped back.
        image, ratio_h, ratio_w = rapid.preprocess(image)
        record: dict[str, Any] = {"preprocess": {"ratio_h": ratio_h, "ratio_w": ratio_w}}
        image, record = rapid.maybe_add_letterbox(image, record)
        found, _ = rapid.auto_text_det(image)
        if found is None or len(found) == 0:
            return []
        points = rapid._get_origin_points(found, record, height, width) / np.float32(factor)
        return [np.asarray(box, dtype=np.float32) for box in points]

    def _read_turned(
        self, rapid: Any, bgr: np.ndarray, boxes: list[np.ndarray], turn: int, factor: float
    ) -> OcrResult:
        """Recognise every box as it reads with the page turned ``turn`` degrees counter-clockwise."""
        image = np.ascontiguousarray(np.rot90(bgr, k=turn // 90)) if turn else bgr
        height, width = bgr.shape[:2]
        clockwise = rapid.text_det.order_points_clockwise
        turned = [clockwise(turn_points(box, turn, width, height)) for box in boxes]
        ordered = rapid.sorted_boxes(np.asarray(turned, dtype=np.float32))
        crops = rapid.get_crop_img_list(image, ordered)
        read, _ = rapid.text_rec(crops)
        result = OcrResult(rotation=turn)
        for points, (text, score, *_) in zip(ordered, read, strict=True):
            box = tuple((float(x) / factor, float(y) / factor) for x, y in points)
            result.boxes.append(box)
            if float(score) >= self.min_line_score and str(text).strip():
                result.lines.append(OcrLine(text=str(text), box=box, score=float(score)))
        return result

    def _poor(self, result: OcrResult) -> bool:
        chars = result.chars
        return chars < self.min_chars or result.quality / max(chars, 1) < self.min_mean_score

    def _probe_turn(self, rapid: Any, bgr: np.ndarray, boxes: list[np.ndarray]) -> tuple[int, bool]:
        """The turn the angle classifier suggests from a few detected lines, and whether it is sure."""
        shaped = [(box, *_extent(box)) for box in boxes]
        line_like = [(box, w, h) for box, w, h in shaped if max(w, h) >= 2 * max(min(w, h), 1)]
        if not line_like:
            return 0, False
        sideways = sum(h > w for _, w, h in line_like) > len(line_like) / 2
        picked = sorted(line_like, key=lambda item: -max(item[1], item[2]))[:5]
        crops = []
        for box, _, _ in picked:
            crop = _crop(bgr, box)
            if crop is None:
                continue
            if sideways:
                crop = np.rot90(crop)  # as the detector's crops are turned before recognition
            crops.append(np.ascontiguousarray(crop[:, : max(4 * crop.shape[0], 8)]))
        votes = {"0": 0.0, "180": 0.0}
        if crops:
            _, labels, _ = rapid.text_cls(crops)
            for label, score in labels:
                votes[str(label)] = votes.get(str(label), 0.0) + float(score)
        total = votes["0"] + votes["180"]
        flipped = votes["180"] > votes["0"]
        confident = total > 0 and abs(votes["180"] - votes["0"]) / total >= 0.5
        if sideways:
            return (270 if flipped else 90), confident
        return (180 if flipped else 0), confident


def turn_points(points: np.ndarray, turn: int, width: int, height: int) -> np.ndarray:
    """``points`` (N×2, x y) of a ``width``×``height`` image, where they fall once the image is turned
    ``turn`` degrees counter-clockwise (as ``np.rot90(image, turn // 90)``)."""
    x, y = points[:, 0], points[:, 1]
    if turn == 90:
        moved = (y, width - 1 - x)
    elif turn == 180:
        moved = (width - 1 - x, height - 1 - y)
    elif turn == 270:
        moved = (height - 1 - y, x)
    else:
        return np.asarray(points, dtype=np.float32)
    return np.stack(moved, axis=1).astype(np.float32)


def to_rgb(image: Image.Image) -> Image.Image:
    """``image`` as RGB: transparency flattened onto white, CMYK/palette/grey/16-bit converted."""
    if image.mode == "RGB":
        return image
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode.startswith("I") or image.mode == "F":  # 16/32-bit grey: scale to 8 bits
        values = np.asarray(image, dtype=np.float64)
        peak = float(values.max()) if values.size else 0.0
        scaled = values * (255.0 / peak) if peak > 0 else values
        return Image.fromarray(np.clip(scaled, 0, 255).astype(np.uint8)).convert("RGB")
    return image.convert("RGB")


def _scaled(image: Image.Image, factor: float) -> Image.Image:
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def _extent(box: np.ndarray) -> tuple[float, float]:
    """Width (first edge) and height (second edge) of a four-point box."""
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)


def _crop(bgr: np.ndarray, box: np.ndarray) -> np.ndarray | None:
    xs, ys = box[:, 0], box[:, 1]
    left, right = max(0, int(xs.min())), min(bgr.shape[1], math.ceil(float(xs.max())))
    top, bottom = max(0, int(ys.min())), min(bgr.shape[0], math.ceil(float(ys.max())))
    if right - left < 4 or bottom - top < 4:
        return None
    return bgr[top:bottom, left:right]
