"""Photographed-looking variants of a rendered page: skew, turns, perspective, light, blur, noise, resolution.

``photographed`` draws realistic settings (the text stays readable by a person); ``unreadable`` draws
a dark, heavily blurred, low-resolution shot that nobody could read. ``apply`` is deterministic for
a given image, setting and seed. JPEG quality is applied when the file is saved.
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass
from typing import Any

import cv2
import numpy as np
from PIL import Image


@dataclass(frozen=True)
class Degradation:
    """How a page was "photographed"; the identity setting changes nothing."""

    turn: int = 0  # 0, 90, 180 or 270 degrees (counter-clockwise): the phone held sideways or upside down
    skew: float = 0.0  # degrees of small rotation
    perspective: float = 0.0  # corner displacement as a fraction of the page size
    background: bool = False  # the page lies on a table (a margin of table colour around it)
    lighting: float = 0.0  # 0–1: how much darker the far corner is than the lit one
    darkness: float = 0.0  # 0–1: overall underexposure
    blur: float = 0.0  # Gaussian sigma in pixels (at the final resolution)
    noise: float = 0.0  # standard deviation of sensor noise, 0–255 scale
    scale: float = 1.0  # resize factor (lower resolution)
    jpeg_quality: int = 90

    def to_dict(self) -> dict[str, Any]:
        return {k: round(v, 3) if isinstance(v, float) else v for k, v in asdict(self).items()}


def photographed(rng: random.Random) -> Degradation:
    """A realistic phone photo or skewed scan: still readable."""
    turn = rng.choices((0, 90, 180, 270), weights=(80, 8, 6, 6))[0]
    return Degradation(
        turn=turn,
        skew=rng.choice((-1, 1)) * rng.uniform(3.0, 8.0) if rng.random() < 0.6 else rng.uniform(-2.0, 2.0),
        perspective=rng.uniform(0.0, 0.04),
        background=rng.random() < 0.75,
        lighting=rng.uniform(0.0, 0.35),
        darkness=rng.uniform(0.0, 0.15),
        blur=rng.choice((0.0, rng.uniform(0.4, 1.2))),
        noise=rng.uniform(2.0, 7.0),
        scale=rng.uniform(0.72, 1.0),
        jpeg_quality=rng.randint(30, 60),
    )


def unreadable(rng: random.Random) -> Degradation:
    """A shot nobody could read: dark, strongly blurred, small and heavily compressed."""
    return Degradation(
        skew=rng.uniform(-8.0, 8.0),
        perspective=rng.uniform(0.02, 0.06),
        background=True,
        lighting=rng.uniform(0.4, 0.6),
        darkness=rng.uniform(0.6, 0.75),
        blur=rng.uniform(4.5, 6.5),
        noise=rng.uniform(10.0, 16.0),
        scale=rng.uniform(0.3, 0.4),
        jpeg_quality=rng.randint(12, 22),
    )


def apply(image: Image.Image, setting: Degradation, seed: int) -> Image.Image:
    """``image`` degraded by ``setting`` (the JPEG quality is left to the saver)."""
    rng = np.random.default_rng(seed)
    pixels: np.ndarray = np.asarray(image.convert("RGB"), dtype=np.uint8)
    if setting.scale != 1.0:  # first, so that everything after works on fewer pixels
        h, w = pixels.shape[:2]
        size = (max(1, round(w * setting.scale)), max(1, round(h * setting.scale)))
        pixels = cv2.resize(pixels, size, interpolation=cv2.INTER_AREA)
    if setting.background or setting.skew or setting.perspective:
        pixels = _warp(pixels, setting, rng)
    result: np.ndarray = pixels.astype(np.float32)
    if setting.lighting or setting.darkness:
        result *= _light_field(result.shape[0], result.shape[1], setting, rng)[..., None]
    if setting.blur:
        result = cv2.GaussianBlur(result, (0, 0), setting.blur)
    if setting.noise:
        result += (rng.standard_normal(result.shape[:2], dtype=np.float32) * setting.noise)[..., None]
    out = np.clip(result, 0, 255).astype(np.uint8)
    if setting.turn:
        out = np.ascontiguousarray(np.rot90(out, setting.turn // 90))
    return Image.fromarray(out, "RGB")


TABLES = ((120, 96, 70), (160, 150, 140), (90, 90, 96), (196, 180, 150))


def _warp(pixels: np.ndarray, setting: Degradation, rng: np.random.Generator) -> np.ndarray:
    """Place the page on a table (or scanner bed), rotate it by ``skew`` and displace its corners."""
    h, w = pixels.shape[:2]
    margin = int(0.08 * max(w, h)) if setting.background else int(0.03 * max(w, h))
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    jitter = rng.uniform(-setting.perspective, setting.perspective, (4, 2)) * np.array([w, h])
    angle = np.deg2rad(setting.skew)
    centre = np.array([w / 2, h / 2])
    rotation = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    moved = (corners + jitter - centre) @ rotation.T + centre
    low, high = moved.min(axis=0), moved.max(axis=0)  # grow the canvas so the turned page stays inside
    out_w, out_h = int(high[0] - low[0] + 2 * margin), int(high[1] - low[1] + 2 * margin)
    moved += np.array([out_w, out_h]) / 2 - (low + high) / 2
    matrix = cv2.getPerspectiveTransform(corners, moved.astype(np.float32))
    if setting.background:
        colour = np.array(TABLES[int(rng.integers(len(TABLES)))], dtype=np.float32)
        coarse = rng.normal(0, 6, (out_h // 16 + 1, out_w // 16 + 1)).astype(np.float32)
        grain = cv2.resize(coarse, (out_w, out_h), interpolation=cv2.INTER_LINEAR)
        table: np.ndarray = np.clip(colour[None, None, :] + grain[..., None], 0, 255).astype(np.uint8)
    else:
        table = np.full((out_h, out_w, 3), 245, dtype=np.uint8)
    return cv2.warpPerspective(
        pixels, matrix, (out_w, out_h), dst=table, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_TRANSPARENT
    )


def _light_field(h: int, w: int, setting: Degradation, rng: np.random.Generator) -> np.ndarray:
    """Multiplicative light: brightest at a random spot, fading by ``lighting``; ``darkness`` dims all."""
    small_h, small_w = max(2, h // 16), max(2, w // 16)
    y, x = np.mgrid[0:small_h, 0:small_w].astype(np.float32)
    cx, cy = rng.uniform(0, small_w), rng.uniform(0, small_h)
    distance = np.sqrt(((x - cx) / small_w) ** 2 + ((y - cy) / small_h) ** 2) / np.sqrt(2)
    field = ((1.0 - setting.lighting * distance) * (1.0 - setting.darkness)).astype(np.float32)
    return cv2.resize(field, (w, h), interpolation=cv2.INTER_LINEAR)  # type: ignore[no-any-return]
