"""Card-sized materials: 居民身份证 (both sides), 社会保障卡, and a portrait photo (证件照)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from PIL import Image, ImageDraw

from evals.prereview_samples.document import Document, FieldsDict, make_fields
from evals.prereview_samples.draw import (
    INK,
    LABEL,
    Canvas,
    cn_date,
    photo_box,
    rounded_card,
    security_background,
)
from evals.prereview_samples.people import Person

CARD = (1100, 694)  # 85.6 mm × 54 mm at about 13 px/mm
MARGIN = 18


@dataclass(frozen=True)
class IdCardFront(Document):
    """居民身份证 人像面: 姓名 性别 民族 出生 住址 公民身份号码 and a photo."""

    material_type = "id_card_front"
    name: str
    gender: str
    ethnicity: str
    birth: date
    address: str
    id_number: str

    @classmethod
    def of(cls, person: Person) -> IdCardFront:
        return cls(
            person.name, person.gender, person.ethnicity, person.birth, person.address, person.id_number
        )

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas.on(security_background(*CARD, tint=(236, 240, 236)))
        label, value = 30, 38
        canvas.text((70, 80), "姓名", label, fill=LABEL, spacing=8)
        canvas.text((200, 74), self.name, value + 6, bold=True, spacing=4)
        canvas.text((70, 165), "性别", label, fill=LABEL, spacing=8)
        canvas.text((200, 160), self.gender, value)
        canvas.text((360, 165), "民族", label, fill=LABEL, spacing=8)
        canvas.text((480, 160), self.ethnicity, value)
        canvas.text((70, 250), "出生", label, fill=LABEL, spacing=8)
        x = canvas.text((200, 245), str(self.birth.year), value)
        x = canvas.text((x + 14, 250), "年", label, fill=LABEL)
        x = canvas.text((x + 14, 245), str(self.birth.month), value)
        x = canvas.text((x + 14, 250), "月", label, fill=LABEL)
        x = canvas.text((x + 14, 245), str(self.birth.day), value)
        canvas.text((x + 14, 250), "日", label, fill=LABEL)
        canvas.text((70, 335), "住址", label, fill=LABEL, spacing=8)
        canvas.wrapped((200, 330), self.address, value - 2, 480, gap=1.35)
        canvas.text((70, 575), "公民身份号码", label, fill=LABEL, spacing=4)
        canvas.text((330, 566), self.id_number, value + 6, spacing=7)
        photo_box(canvas.image, (730, 90, 1010, 450), background=(232, 236, 232))
        return [rounded_card(canvas.image, MARGIN, 36)]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={"holder": self.name},
            id_numbers={"holder": self.id_number},
            dates={"birth": self.birth},
            address=self.address,
            other={"gender": self.gender, "ethnicity": self.ethnicity},
        )


@dataclass(frozen=True)
class IdCardBack(Document):
    """居民身份证 国徽面: 中华人民共和国 居民身份证 签发机关 有效期限."""

    material_type = "id_card_back"
    issuer: str
    valid_from: date
    valid_until: date | None  # None: 长期

    @classmethod
    def of(cls, person: Person) -> IdCardBack:
        assert person.id_valid_from is not None, f"{person.name} has no ID card"
        return cls(person.region.police, person.id_valid_from, person.id_valid_until)

    @property
    def validity(self) -> str:
        until = "长期" if self.valid_until is None else cn_date(self.valid_until, style="dot")
        return f"{cn_date(self.valid_from, style='dot')}-{until}"

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas.on(security_background(*CARD, tint=(238, 238, 230)))
        draw = canvas.draw
        draw.ellipse((70, 60, 250, 240), fill=(200, 40, 40))  # an emblem-shaped placeholder
        draw.ellipse((100, 90, 220, 210), outline=(240, 200, 80), width=8)
        draw.regular_polygon((160, 150, 38), 5, fill=(240, 200, 80))
        canvas.text((700, 120), "中华人民共和国", 50, bold=True, serif=True, anchor="mm", spacing=10)
        canvas.text((700, 250), "居民身份证", 84, bold=True, serif=True, anchor="mm", spacing=22)
        canvas.text((240, 500), "签发机关", 30, fill=LABEL, spacing=6)
        canvas.text((420, 494), self.issuer, 36)
        canvas.text((240, 585), "有效期限", 30, fill=LABEL, spacing=6)
        canvas.text((420, 579), self.validity, 36, spacing=2)
        return [rounded_card(canvas.image, MARGIN, 36)]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            dates={"valid_from": self.valid_from, "valid_until": self.valid_until},
            other={"issuer": self.issuer},
        )


@dataclass(frozen=True)
class SocialSecurityCard(Document):
    """中华人民共和国社会保障卡 (front): 姓名 社会保障号码 卡号 发卡日期."""

    material_type = "social_security_card"
    name: str
    id_number: str
    card_number: str
    issued: date

    @classmethod
    def of(cls, person: Person, issued: date, rng: random.Random) -> SocialSecurityCard:
        number = rng.choice("ABCDEFGHJKLMN") + f"{rng.randint(0, 99999999):08d}"
        return cls(person.name, person.id_number, number, issued)

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas.on(security_background(*CARD, tint=(228, 238, 248), strength=0.6))
        draw = canvas.draw
        draw.rectangle((0, 0, CARD[0], 130), fill=(30, 90, 170))
        canvas.text(
            (CARD[0] / 2, 66),
            "中华人民共和国社会保障卡",
            52,
            fill=(255, 255, 255),
            bold=True,
            anchor="mm",
            spacing=6,
        )
        canvas.text((CARD[0] - 40, 170), "金融社保卡", 26, fill=(30, 90, 170), anchor="ra")
        draw.rounded_rectangle(
            (80, 190, 230, 300), radius=14, fill=(214, 182, 96), outline=(150, 120, 50), width=3
        )
        for y in (225, 262):
            draw.line((80, y, 230, y), fill=(150, 120, 50), width=3)
        draw.line((155, 190, 155, 300), fill=(150, 120, 50), width=3)
        rows = (
            ("姓　　名", self.name),
            ("社会保障号码", self.id_number),
            ("卡　　号", self.card_number),
            ("发卡日期", f"{self.issued.year}年{self.issued.month:02d}月"),
        )
        y = 360
        for label, value in rows:
            canvas.text((80, y), label, 30, fill=LABEL)
            canvas.text((300, y - 6), value, 38, fill=INK, spacing=3 if value.isascii() else 0)
            y += 78
        photo_box(canvas.image, (800, 330, 1020, 620))
        return [rounded_card(canvas.image, MARGIN, 36)]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={"holder": self.name},
            id_numbers={"holder": self.id_number},
            dates={"issue": self.issued},
            registration_number=self.card_number,
        )


@dataclass(frozen=True)
class Portrait(Document):
    """A 证件照 (ID photo): a plain background and a head-and-shoulders silhouette, no text."""

    background: tuple[int, int, int] = (67, 142, 219)

    def pages(self, rng: random.Random) -> list[Image.Image]:
        image = Image.new("RGB", (600, 840), self.background)
        photo_box(image, (0, 0, 600, 840), background=self.background)
        ImageDraw.Draw(image).ellipse((222, 250, 240, 262), fill=(90, 90, 96))
        ImageDraw.Draw(image).ellipse((360, 250, 378, 262), fill=(90, 90, 96))
        return [image]
