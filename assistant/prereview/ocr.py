"""OCR of images with RapidOCR (PP-OCR models shipped in the wheel), with page orientation handling.

The engine loads lazily, once, under a lock; inference is serialised (one image at a time keeps a
2-core machine responsive). Orientation: the first pass reads the image as it is; the angle classifier
then votes on a few detected lines (turned like the detector's crops when the page is sideways) and,
when it says the page is turned, the image is turned and read again; when the result is still poor,
the remaining turns are tried and the best by confidence-weighted characters is kept.

The classifier is not applied to every line (``line_cls=False``): on long upright lines it often says
"180" and flips them, losing the line (10 of 30 lines on a clean rendered A4 page).
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


@dataclass
class OcrResult:
    """Lines read from one image, top to bottom; boxes are in the upright image at original resolution."""

    lines: list[OcrLine] = field(default_factory=list)
    rotation: int = 0  # degrees counter-clockwise the image was turned to read upright (PIL's convention)
    seconds: float = 0.0
    passes: int = 0  # full OCR passes run (1 for an upright image)
    boxes: list[Box] = field(default_factory=list, repr=False)  # every detected box, read or not

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
        det_limit_side_len: int = 1280,
        min_chars: int = 4,
        min_mean_score: float = 0.6,
        min_line_score: float = 0.5,
        line_cls: bool = False,
    ) -> None:
        self.threads = threads
        self.max_side = max_side
        self.det_limit_side_len = det_limit_side_len
        self.min_chars = min_chars
        self.min_mean_score = min_mean_score
        self.min_line_score = min_line_score
        self.line_cls = line_cls
        self._engine: Any = None
        self._load_lock = threading.Lock()
        self._run_lock = threading.Lock()

    @classmethod
    def shared(cls) -> OcrEngine:
        """The process-wide engine (created on first use; the models load on the first image)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
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
            size = (max(1, round(rgb.width * factor)), max(1, round(rgb.height * factor)))
            rgb = rgb.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
        bgr = np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1])
        with self._run_lock:
            best = self._pass(bgr, 0, factor)
            tried = {0}
            if best.boxes:
                turn, confident = self._probe_turn(bgr, best.boxes, factor)
                if turn:
                    candidate = self._pass(bgr, turn, factor)
                    tried.add(turn)
                    if candidate.quality >= 0.9 * best.quality:
                        best = candidate
                if self._poor(best) and not confident:
                    for turn in (180, 90, 270):
                        if turn in tried:
                            continue
                        tried.add(turn)
                        candidate = self._pass(bgr, turn, factor)
                        if candidate.quality > best.quality:
                            best = candidate
                        if not self._poor(best):
                            break
        best.passes = len(tried)
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
                        det_limit_side_len=self.det_limit_side_len,
                        max_side_len=self.max_side,
                    )
        return self._engine

    def _pass(self, bgr: np.ndarray, turn: int, factor: float) -> OcrResult:
        """One full detection + recognition pass over ``bgr`` turned ``turn`` degrees counter-clockwise."""
        image = np.ascontiguousarray(np.rot90(bgr, k=turn // 90)) if turn else bgr
        # text_score=0 keeps unreadable boxes too: they still tell the orientation probe where text is.
        found, _ = self._rapid()(image, use_cls=self.line_cls, text_score=0.0)
        result = OcrResult(rotation=turn)
        for points, text, score in found or []:
            box = tuple((float(x) / factor, float(y) / factor) for x, y in points)
            result.boxes.append(box)
            if float(score) >= self.min_line_score and str(text).strip():
                result.lines.append(OcrLine(text=str(text), box=box, score=float(score)))
        return result

    def _poor(self, result: OcrResult) -> bool:
        chars = result.chars
        return chars < self.min_chars or result.quality / max(chars, 1) < self.min_mean_score

    def _probe_turn(self, bgr: np.ndarray, boxes: list[Box], factor: float) -> tuple[int, bool]:
        """The turn the angle classifier suggests from a few detected lines, and whether it is sure."""
        shaped = [(box, *_extent(box)) for box in boxes if len(box) == 4]
        line_like = [(box, w, h) for box, w, h in shaped if max(w, h) >= 2 * max(min(w, h), 1)]
        if not line_like:
            return 0, False
        sideways = sum(h > w for _, w, h in line_like) > len(line_like) / 2
        picked = sorted(line_like, key=lambda item: -max(item[1], item[2]))[:5]
        votes = {"0": 0.0, "180": 0.0}
        for box, _, _ in picked:
            crop = _crop(bgr, box, factor)
            if crop is None:
                continue
            if sideways:
                crop = np.rot90(crop)  # as the detector's crops are turned before recognition
            crop = np.ascontiguousarray(crop[:, : max(4 * crop.shape[0], 8)])
            labels, _ = self._rapid()(crop, use_det=False, use_cls=True, use_rec=False)
            for label, score in labels or []:
                votes[str(label)] = votes.get(str(label), 0.0) + float(score)
        total = votes["0"] + votes["180"]
        flipped = votes["180"] > votes["0"]
        confident = total > 0 and abs(votes["180"] - votes["0"]) / total >= 0.5
        if sideways:
            return (270 if flipped else 90), confident
        return (180 if flipped else 0), confident


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


def _extent(box: Box) -> tuple[float, float]:
    """Width (first edge) and height (second edge) of a four-point box."""
    (x0, y0), (x1, y1), _, (x3, y3) = box[:4]
    return math.hypot(x1 - x0, y1 - y0), math.hypot(x3 - x0, y3 - y0)


def _crop(bgr: np.ndarray, box: Box, factor: float) -> np.ndarray | None:
    xs = [x * factor for x, _ in box]
    ys = [y * factor for _, y in box]
    left, right = max(0, int(min(xs))), min(bgr.shape[1], math.ceil(max(xs)))
    top, bottom = max(0, int(min(ys))), min(bgr.shape[0], math.ceil(max(ys)))
    if right - left < 4 or bottom - top < 4:
        return None
    return bgr[top:bottom, left:right]
