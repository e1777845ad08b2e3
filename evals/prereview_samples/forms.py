"""Filled-in documents: 申请表 (any service form), 授权委托书, other titled documents, and stray files."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

import docx
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from PIL import Image, ImageDraw

from evals.prereview_samples.document import Document, FieldsDict, make_fields
from evals.prereview_samples.draw import LABEL, Canvas, cn_date, grid, seal, signature

A4 = (1240, 1754)
PROMISE = "申请人承诺：以上填写的信息及提交的材料真实、有效，如有虚假，愿承担相应的法律责任。"
Pairs = tuple[tuple[str, str], ...]


def _title_lines(canvas: Canvas, title: str, y: float, size: int = 46) -> float:
    return canvas.wrapped((A4[0] / 2, y), title, size, A4[0] - 200, anchor="mm", bold=True, gap=1.4)


@dataclass(frozen=True)
class ApplicationForm(Document):
    """A service's 申请表 (登记表, 申请书, 信息采集表): a two-column table, a promise, signature, date."""

    material_type = "application_form"
    title: str
    rows: Pairs  # (label, value) as filled in
    applicant: str  # who signs
    signed: date
    names: Pairs = ()  # role → name, for the fields truth
    id_numbers: Pairs = ()
    credit_code: str = ""
    dates: tuple[tuple[str, date], ...] = ()
    two_pages: bool = False  # the promise and signature on a second page

    def page_count(self) -> int:
        return 2 if self.two_pages else 1

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas(*A4)
        y = _title_lines(canvas, self.title, 120)
        canvas.text((A4[0] - 80, y + 10), f"填表日期：{cn_date(self.signed)}", 26, fill=LABEL, anchor="ra")
        rows = [[(label, 1, True), (value, 1, False)] for label, value in self.rows]
        bottom = grid(canvas, (80, int(y) + 60), [300, 780], rows, 88, 30)
        if not self.two_pages:
            self._promise(canvas, bottom + 80, rng)
            return [canvas.image]
        canvas.footer(1, 2)
        second = Canvas(*A4)
        second.text((A4[0] / 2, 140), "承诺与告知", 44, bold=True, anchor="mm")
        second.wrapped(
            (100, 240),
            "1. 申请人应如实填写本表并提交真实、有效的材料。\n2. 办理结果将通过短信或“一网通办”平台告知。"
            "\n3. 材料不齐全或不符合法定形式的，将一次性告知需要补正的全部内容。",
            30,
            A4[0] - 200,
        )
        self._promise(second, 560, rng)
        second.footer(2, 2)
        return [canvas.image, second.image]

    def _promise(self, canvas: Canvas, y: float, rng: random.Random) -> None:
        y = canvas.wrapped((100, y), PROMISE, 30, A4[0] - 200)
        canvas.text((640, y + 80), "申请人签字：", 32)
        signature(canvas.image, (840, y + 100), self.applicant, 48, rng)
        canvas.text((640, y + 170), f"日期：{cn_date(self.signed)}", 32)

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names=dict(self.names),
            id_numbers=dict(self.id_numbers),
            credit_code=self.credit_code,
            dates={"signed": self.signed, **dict(self.dates)},
        )

    def docx(self, rng: random.Random) -> DocxDocument:
        document = docx.Document()
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(self.title).bold = True
        document.add_paragraph(f"填表日期：{cn_date(self.signed)}")
        table = document.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in self.rows:
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value
        document.add_paragraph(PROMISE)
        document.add_paragraph(f"申请人签字：{self.applicant}")
        document.add_paragraph(f"日期：{cn_date(self.signed)}")
        return document


@dataclass(frozen=True)
class PowerOfAttorney(Document):
    """授权委托书: 委托人 and 受托人 with ID numbers (or a company's code), 委托事项, 委托期限, signatures."""

    material_type = "power_of_attorney"
    principal: str
    principal_id: str
    agent: str
    agent_id: str
    matter: str
    valid_from: date
    valid_until: date
    company: str = ""  # when a company authorises: its name (principal is then the legal representative)
    credit_code: str = ""

    def lines(self) -> list[str]:
        if self.company:
            who = [
                f"委托单位：{self.company}",
                f"统一社会信用代码：{self.credit_code}",
                f"法定代表人（委托人）：{self.principal}",
            ]
        else:
            who = [f"委托人：{self.principal}", f"身份证号：{self.principal_id}"]
        return [
            *who,
            f"受托人：{self.agent}",
            f"身份证号：{self.agent_id}",
            f"现委托受托人代为办理{self.matter}相关手续。受托人在办理过程中所签署的有关文件和所作的说明，委托人均予以承认，"
            "并承担相应的法律责任。",
            f"委托事项：{self.matter}",
            f"委托期限：自{cn_date(self.valid_from)}至{cn_date(self.valid_until)}",
        ]

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas(*A4)
        canvas.text((A4[0] / 2, 150), "授权委托书", 60, bold=True, serif=True, anchor="mm", spacing=16)
        y = 290.0
        for line in self.lines():
            y = canvas.wrapped((110, y), line, 32, A4[0] - 220, gap=1.6) + 24
        y += 80
        canvas.text((110, y), "委托人签字：", 32)
        signature(canvas.image, (320, y + 20), self.principal, 48, rng)
        canvas.text((660, y), "受托人签字：", 32)
        signature(canvas.image, (870, y + 20), self.agent, 48, rng)
        canvas.text((660, y + 120), f"日期：{cn_date(self.valid_from)}", 32)
        if self.company:
            seal(canvas.image, (380, y + 150), 110, self.company, "", rng)
        return [canvas.image]

    def fields(self, pages: tuple[int, ...] | None = None) -> FieldsDict:
        return make_fields(
            names={
                "principal": self.principal,
                "agent": self.agent,
                **({"company": self.company} if self.company else {}),
            },
            id_numbers={"principal": self.principal_id, "agent": self.agent_id},
            credit_code=self.credit_code,
            dates={"valid_from": self.valid_from, "valid_until": self.valid_until},
        )

    def docx(self, rng: random.Random) -> DocxDocument:
        document = docx.Document()
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run("授权委托书").bold = True
        for line in self.lines():
            document.add_paragraph(line)
        document.add_paragraph(f"委托人签字：{self.principal}　　受托人签字：{self.agent}")
        document.add_paragraph(f"日期：{cn_date(self.valid_from)}")
        return document


@dataclass(frozen=True)
class TextDocument(Document):
    """A titled document outside the recognised types (章程, 劳动合同, 制度, 说明 …): unrecognised."""

    title: str
    paragraphs: tuple[str, ...]
    signer: str
    signed: date
    seal_text: str = ""

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas(*A4)
        y = _title_lines(canvas, self.title, 150, 50) + 60
        for paragraph in self.paragraphs:
            y = canvas.wrapped((110, y), "　　" + paragraph, 30, A4[0] - 220, gap=1.6) + 20
        y = max(y + 60, 1300)
        canvas.text((700, y), "签字：", 32)
        signature(canvas.image, (820, y + 20), self.signer, 46, rng)
        canvas.text((700, y + 110), cn_date(self.signed), 32)
        if self.seal_text:
            seal(canvas.image, (820, y + 80), 110, self.seal_text, "", rng)
        return [canvas.image]

    def docx(self, rng: random.Random) -> DocxDocument:
        document = docx.Document()
        heading = document.add_paragraph()
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        heading.add_run(self.title).bold = True
        for paragraph in self.paragraphs:
            document.add_paragraph(paragraph)
        document.add_paragraph(f"签字：{self.signer}")
        document.add_paragraph(cn_date(self.signed))
        return document


@dataclass(frozen=True)
class Receipt(Document):
    """A shop receipt (购物小票): a stray file that is no material."""

    shop: str
    items: tuple[tuple[str, float], ...]
    day: date

    def pages(self, rng: random.Random) -> list[Image.Image]:
        canvas = Canvas(640, 1200, color=(250, 250, 246))
        canvas.text((320, 80), self.shop, 34, bold=True, anchor="mm")
        canvas.text((320, 130), "购物小票", 28, anchor="mm")
        canvas.text(
            (50, 190), f"日期：{self.day.isoformat()} {rng.randint(8, 21):02d}:{rng.randint(0, 59):02d}", 24
        )
        y = 260
        for name, price in self.items:
            canvas.text((50, y), name, 26)
            canvas.text((590, y), f"{price:.2f}", 26, anchor="ra")
            y += 50
        canvas.hline(50, 590, y + 10)
        canvas.text((50, y + 40), "合计", 28, bold=True)
        canvas.text((590, y + 40), f"{sum(p for _, p in self.items):.2f}", 28, bold=True, anchor="ra")
        canvas.text((320, y + 150), "谢谢惠顾，欢迎再次光临", 24, anchor="mm")
        return [canvas.image]


@dataclass(frozen=True)
class Scenery(Document):
    """A holiday snapshot (hills under a sky): a stray file with no text."""

    hue: int = 0

    def pages(self, rng: random.Random) -> list[Image.Image]:
        image = Image.new("RGB", (1200, 900), (150, 190, 235))
        draw = ImageDraw.Draw(image)
        for y in range(0, 500, 4):
            shade = 150 + y // 8
            draw.rectangle((0, y, 1200, y + 4), fill=(shade - 40, shade, 235))
        for layer in range(3):
            base = 420 + layer * 120
            points = (
                [(0, 900)] + [(x, base - rng.randint(0, 160)) for x in range(0, 1300, 100)] + [(1200, 900)]
            )
            green = 120 - layer * 25 + self.hue
            draw.polygon(points, fill=(40 + layer * 20, green, 60))
        draw.ellipse((900, 80, 1000, 180), fill=(255, 240, 200))
        return [image]
