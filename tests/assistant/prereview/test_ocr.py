"""The OCR engine: box turning matches the image turn; one detection and one recognition pass per page."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from assistant.prereview.ocr import STAGES, OcrEngine, turn_points

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
needs_font = pytest.mark.skipif(not FONT.exists(), reason="fonts-noto-cjk is not installed")
ID_NUMBER = "110101199003078515"


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_turned_points_land_on_the_same_pixels(turn: int) -> None:
    image = np.zeros((7, 11), dtype=np.uint8)
    marks = np.array([[0, 0], [10, 0], [10, 6], [3, 5]], dtype=np.float32)  # x, y
    for value, (x, y) in enumerate(marks.astype(int), start=1):
        image[y, x] = value
    turned_image = np.rot90(image, k=turn // 90)
    moved = turn_points(marks, turn, width=11, height=7).astype(int)
    assert [int(turned_image[y, x]) for x, y in moved] == [1, 2, 3, 4]


def card(turn: int) -> Image.Image:
    font = ImageFont.truetype(str(FONT), 34)
    image = Image.new("RGB", (900, 360), "white")
    draw = ImageDraw.Draw(image)
    for i, line in enumerate(["姓名 张三", "住址 北京市东城区东华门街道", f"公民身份号码 {ID_NUMBER}"]):
        draw.text((36, 30 + i * 80), line, fill="black", font=font)
    return image.rotate(turn, expand=True)


@needs_font
@pytest.mark.parametrize(("turn", "expected_rotation"), [(0, 0), (90, 270), (180, 180), (270, 90)])
def test_a_turned_card_is_read_upright_in_one_pass(turn: int, expected_rotation: int) -> None:
    result = OcrEngine.shared().recognise(card(turn))
    assert result.rotation == expected_rotation and result.passes == 1
    assert ID_NUMBER in result.text.replace(" ", "")
    assert result.text.index("姓名") < result.text.index("住址") < result.text.index(ID_NUMBER)
    assert set(result.stage_seconds) == set(STAGES) and result.stage_seconds["recognise"] > 0
    width, height = card(0).size  # boxes are in the upright card's pixels
    for box in result.boxes:
        assert all(-2 <= x <= width + 2 and -2 <= y <= height + 2 for x, y in box)


@needs_font
def test_detection_runs_on_a_reduced_copy_but_boxes_are_in_original_pixels() -> None:
    big = card(0).resize((2700, 1080))  # three times the card, wider than det_side and max_side
    engine = OcrEngine(det_side=640, max_side=1800)
    result = engine.recognise(big)
    assert ID_NUMBER in result.text.replace(" ", "")
    small = engine.recognise(card(0))
    right = max(x for box in result.boxes for x, _ in box)
    assert right == pytest.approx(3 * max(x for box in small.boxes for x, _ in box), rel=0.05)


def test_a_blank_image_is_detected_once_and_not_recognised() -> None:
    result = OcrEngine.shared().recognise(Image.new("RGB", (800, 600), "white"))
    assert result.lines == [] and result.passes == 0 and result.stage_seconds["recognise"] == 0
