"""Tests for ingest.loaders: every format on generated files, corrupt input, sidecars, file discovery."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from ingest import loaders
from ingest.loaders import (
    MAX_FILE_BYTES,
    SUPPORTED_SUFFIXES,
    iter_files,
    load_path,
    make_doc_id,
)
from ingest.models import LoadError, SourceDocument

# --------------------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------------------


def _pdf_string(text: str) -> str:
    return "(" + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ")"


def make_pdf(pages: list[str | None], *, title: str | None = None) -> bytes:
    """A minimal valid PDF: one Helvetica text object per page, or (None) a page with only a rectangle."""
    count = len(pages)
    kids = " ".join(f"{4 + 2 * i} 0 R" for i in range(count))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {count} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for i, text in enumerate(pages):
        if text is None:
            stream = b"0.5 g 72 72 200 200 re f"  # a grey box: an image-like page without text
        else:
            ops = ["BT", "/F1 12 Tf", "14 TL", "72 720 Td"]
            for j, line in enumerate(text.split("\n")):
                ops.append(("T* " if j else "") + _pdf_string(line) + " Tj")
            ops.append("ET")
            stream = "\n".join(ops).encode("latin-1")
        objects.append(
            (
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {5 + 2 * i} 0 R >>"
            ).encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream))
    info_ref = ""
    if title is not None:
        objects.append(b"<< /Title <%s> >>" % ("\ufeff" + title).encode("utf-16-be").hex().upper().encode())
        info_ref = f" /Info {len(objects)} 0 R"
    out = bytearray(b"%PDF-1.4\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    trailer = f"<< /Size {len(objects) + 1} /Root 1 0 R{info_ref} >>"
    out += b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer.encode(), xref)
    return bytes(out)


def write(path: Path, data: bytes | str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return path


def load_one(path: Path, **kwargs: Path) -> SourceDocument:
    docs = load_path(path, **kwargs)
    assert len(docs) == 1
    return docs[0]


def build_docx(path: Path, *, core_title: str | None = None) -> Path:
    import docx

    document = docx.Document()
    if core_title is not None:
        document.core_properties.title = core_title
    document.add_heading("关于办理居住证的通知", level=0)
    document.add_paragraph("第一条　申请人应当提交身份证明。")
    table = document.add_table(rows=3, cols=3)
    rows = [("材料", "份数", "备注"), ("身份证", "1", "原件"), ("居住证明", "2", "复印件")]
    for row, values in zip(table.rows, rows, strict=True):
        for cell, value in zip(row.cells, values, strict=True):
            cell.text = value
    document.add_paragraph("第二条　办理时限为十五个工作日。")
    document.save(str(path))
    return path


# --------------------------------------------------------------------------------------------------
# Module surface
# --------------------------------------------------------------------------------------------------


def test_supported_suffixes_and_limit() -> None:
    assert {".txt", ".md", ".html", ".htm", ".docx", ".pdf", ".jsonl", ".yaml", ".yml"} == SUPPORTED_SUFFIXES
    assert MAX_FILE_BYTES == 50 * 1024 * 1024


def test_unsupported_and_missing_files(tmp_path: Path) -> None:
    xlsx = write(tmp_path / "表格.xlsx", b"PK\x03\x04")
    with pytest.raises(LoadError, match=r"unsupported file type '\.xlsx'"):
        load_path(xlsx)
    with pytest.raises(LoadError, match="no such file"):
        load_path(tmp_path / "missing.txt")


def test_file_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_FILE_BYTES", 10)
    big = write(tmp_path / "big.txt", "办事指南" * 10)
    with pytest.raises(LoadError, match="too large"):
        load_path(big)


# --------------------------------------------------------------------------------------------------
# Plain text
# --------------------------------------------------------------------------------------------------


def test_txt_utf8_with_root(tmp_path: Path) -> None:
    path = write(tmp_path / "policies" / "gf-2024-3.txt", "国务院关于优化政务服务的意见\r\n第一条　总则\n")
    doc = load_one(path, root=tmp_path)
    assert doc.doc_id == "gf-2024-3"
    assert doc.title == "gf-2024-3"
    assert doc.text == "国务院关于优化政务服务的意见\n第一条　总则\n"
    assert doc.source == "policies/gf-2024-3.txt"
    assert doc.metadata == {"source_format": "txt", "source": "policies/gf-2024-3.txt"}
    assert doc.warnings == []


def test_txt_source_without_root_is_path_as_given(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", "内容")
    assert load_one(path).source == path.as_posix()


def test_txt_utf8_bom_gb18030_and_utf16(tmp_path: Path) -> None:
    text = "社会保障卡申领：携带身份证到窗口办理。喆"
    bom = write(tmp_path / "bom.txt", b"\xef\xbb\xbf" + text.encode("utf-8"))
    gb = write(tmp_path / "gb.txt", text, encoding="gb18030")
    utf16 = write(tmp_path / "u16.txt", text, encoding="utf-16")  # with BOM, as Windows Notepad writes
    for path in (bom, gb, utf16):
        assert load_one(path).text == text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\xe4\xb8\xad\x00\x01\x02binary", "binary content"),
        (b"abc \x80\x80 \xff\xff def", "is not UTF-8 or GB18030 text"),
        (b"", "no text found"),
        (b"  \n\t\n", "no text found"),
    ],
    ids=["nul-bytes", "undecodable", "empty", "blank"],
)
def test_txt_rejected(tmp_path: Path, data: bytes, message: str) -> None:
    path = write(tmp_path / "bad.txt", data)
    with pytest.raises(LoadError, match=message) as excinfo:
        load_path(path)
    assert "bad.txt" in str(excinfo.value)


# --------------------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------------------

MARKDOWN = """\
# 居住证办理指南

## 一、办理条件

在本市居住**半年以上**，详见[办事指南](https://zwfw.example.gov.cn/guide "指南")。
![流程图](images/flow.png)
办理网址：<https://zwfw.example.gov.cn>

* 身份证
* _户口簿_

```text
# 这不是标题
```

| 材料 | 份数 |
| --- | :---: |
| 身份证 | 1 |

---
第二段含有`代码`与~~删除~~文字。
"""


def test_markdown_markup_is_stripped(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "guide.md", MARKDOWN))
    assert doc.title == "居住证办理指南"
    assert doc.metadata["source_format"] == "md"
    lines = doc.text.split("\n")
    assert lines[0] == "居住证办理指南"
    assert "一、办理条件" in lines
    assert "在本市居住半年以上，详见办事指南。" in lines
    assert "办理网址：https://zwfw.example.gov.cn" in lines
    assert "* 身份证" in lines
    assert "* 户口簿" in lines
    assert "# 这不是标题" in lines  # code block content kept verbatim
    assert "| 身份证 | 1 |" in lines
    assert "第二段含有代码与删除文字。" in lines
    for markup in ("```", "](", "![", "**", "flow.png", "---"):
        assert markup not in doc.text


def test_markdown_reference_links_and_lookalikes(tmp_path: Path) -> None:
    markdown = (
        "参见文献[1][2]。详见[指南][g]和![图][p]。\n"
        "[注]: 本办法自公布之日起施行。\n"
        '[g]: https://example.gov.cn/g "指南"\n'
        "[p]: ./img/p.png\n"
        "> 2*3 与 a_b_c 保留，中文*强调*中文。\n"
    )
    doc = load_one(write(tmp_path / "refs.md", markdown))
    assert doc.text.split("\n") == [
        "参见文献[1][2]。详见指南和。",
        "[注]: 本办法自公布之日起施行。",  # not a link definition: kept
        "2*3 与 a_b_c 保留，中文强调中文。",
        "",
    ]


def test_markdown_title_falls_back_to_stem(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "faq.md", "## 常见问题\n\n问：如何办理？", encoding="gb18030"))
    assert doc.title == "faq"
    assert doc.text.startswith("常见问题\n")


# --------------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------------

HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>关于调整最低工资标准的通知</title>
<style>p { color: red }</style><script>var tracker = "不应出现";</script></head>
<body>
<header><h1>某市人民政府门户网站</h1></header>
<nav><ul><li>首页</li><li>政务公开</li></ul></nav>
<div class="article">
  <h2>一、调整标准</h2>
  <p>月最低工资标准
     调整为<b>2690元</b>。</p>
  <p>第一行<br>第二行</p>
  <table><tr><th>档次</th><th>标准</th></tr><tr><td>一档</td><td>2690元</td></tr></table>
  <ul><li>自2025年7月1日起执行</li></ul>
  <noscript>请启用脚本</noscript>
</div>
<footer>版权所有 网站标识码</footer>
</body></html>
"""


def test_html_boilerplate_dropped_and_blocks_become_lines(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "notice.html", HTML))
    assert doc.title == "关于调整最低工资标准的通知"
    assert doc.metadata["source_format"] == "html"
    assert doc.text.split("\n") == [
        "一、调整标准",
        "月最低工资标准 调整为2690元。",
        "第一行",
        "第二行",
        "档次 | 标准",
        "一档 | 2690元",
        "自2025年7月1日起执行",
    ]
    for dropped in ("不应出现", "color", "首页", "门户网站", "版权所有", "请启用脚本"):
        assert dropped not in doc.text


def test_html_gb18030_declared_charset(tmp_path: Path) -> None:
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head>'
        "<body><h1>不动产登记须知</h1><p>申请人张喆须提交材料。</p></body></html>"
    )  # 喆 is outside GB2312: the loader decodes GB2312/GBK labels as GB18030
    doc = load_one(write(tmp_path / "bdc.htm", page, encoding="gb18030"))
    assert doc.title == "不动产登记须知"
    assert doc.text == "不动产登记须知\n申请人张喆须提交材料。"
    assert doc.warnings == []


def test_html_undeclared_or_wrongly_declared_charset_falls_back(tmp_path: Path) -> None:
    undeclared = write(tmp_path / "a.html", "<p>公积金提取</p>", encoding="gb18030")
    assert load_one(undeclared).text == "公积金提取"
    wrong = write(tmp_path / "b.html", '<meta charset="utf-8"><p>公积金提取</p>', encoding="gb18030")
    doc = load_one(wrong)
    assert doc.text == "公积金提取"
    assert doc.title == "b"
    assert any("declared charset 'utf-8'" in w for w in doc.warnings)


def test_html_title_from_content_h1_and_table_cells_with_blocks(tmp_path: Path) -> None:
    page = (
        "<body><header><h1>某市人民政府</h1></header><div><h1>医保报销指南</h1>"
        "<table><tr><td><p>门诊</p><p>普通</p></td><td>70%<br>封顶</td></tr></table>"
        "<table><tr><td><p>"
        + "布局表格中的长段落。" * 30
        + "</p><p>第二段</p></td></tr></table></div></body>"
    )  # no <title>: the banner <h1> is dropped with <header>; long (layout) cells keep their breaks
    doc = load_one(write(tmp_path / "yb.html", page))
    assert doc.title == "医保报销指南"
    lines = doc.text.split("\n")
    assert lines[:2] == ["医保报销指南", "门诊 普通 | 70% 封顶"]
    assert lines[-1] == "第二段"
    assert len(lines) == 4


def test_html_bogus_utf16_label_is_read_as_utf8(tmp_path: Path) -> None:
    page = '<meta charset="utf-16"><title>标题</title><p>内容</p>'
    doc = load_one(write(tmp_path / "u.html", page))
    assert (doc.title, doc.text) == ("标题", "内容")


def test_html_without_text_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "empty.html", "<html><body><nav>首页</nav><script>x()</script></body></html>")
    with pytest.raises(LoadError, match="no text found"):
        load_path(path)


# --------------------------------------------------------------------------------------------------
# DOCX
# --------------------------------------------------------------------------------------------------


def test_docx_paragraphs_and_tables_in_document_order(tmp_path: Path) -> None:
    doc = load_one(build_docx(tmp_path / "jzz.docx"))
    assert doc.title == "关于办理居住证的通知"  # first paragraph has the Title style
    assert doc.text.split("\n") == [
        "关于办理居住证的通知",
        "第一条　申请人应当提交身份证明。",
        "材料 | 份数 | 备注",
        "身份证 | 1 | 原件",
        "居住证明 | 2 | 复印件",
        "第二条　办理时限为十五个工作日。",
    ]
    assert doc.metadata["source_format"] == "docx"
    assert doc.metadata["tables"] == "1"


def test_docx_core_title_wins_and_plain_first_paragraph_is_not_a_title(tmp_path: Path) -> None:
    import docx

    assert load_one(build_docx(tmp_path / "a.docx", core_title="居住证管理办法")).title == "居住证管理办法"
    document = docx.Document()
    document.add_paragraph("普通正文段落。")
    document.save(str(tmp_path / "plain.docx"))
    assert load_one(tmp_path / "plain.docx").title == "plain"


def test_docx_merged_cells_appear_once(tmp_path: Path) -> None:
    import docx

    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 1))
    merged.text = "合并单元格"
    table.cell(0, 2).text = "右"
    for cell, value in zip(table.rows[1].cells, ("甲", "乙", "丙"), strict=True):
        cell.text = value
    document.save(str(tmp_path / "merged.docx"))
    assert load_one(tmp_path / "merged.docx").text == "合并单元格 | 右\n甲 | 乙 | 丙"


def test_docx_corrupt(tmp_path: Path) -> None:
    random_bytes = write(tmp_path / "random.docx", bytes(range(256)) * 8)
    with pytest.raises(LoadError, match=r"random\.docx: not a readable \.docx file"):
        load_path(random_bytes)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a word document")
    not_word = write(tmp_path / "zip.docx", buffer.getvalue())
    with pytest.raises(LoadError, match=r"zip\.docx: not a readable \.docx file"):
        load_path(not_word)


# --------------------------------------------------------------------------------------------------
# PDF
# --------------------------------------------------------------------------------------------------


def test_pdf_text_layer_and_metadata_title(tmp_path: Path) -> None:
    path = write(
        tmp_path / "notice.pdf", make_pdf(["Notice on residence permits\nArticle 1"], title="居住证通知")
    )
    doc = load_one(path)
    assert doc.text == "Notice on residence permits\nArticle 1"
    assert doc.title == "居住证通知"
    assert doc.metadata == {"pages": "1", "source_format": "pdf", "source": path.as_posix()}
    assert doc.warnings == []


def test_pdf_page_without_text_layer_warns(tmp_path: Path) -> None:
    doc = load_one(write(tmp_path / "mixed.pdf", make_pdf(["Page one text", None, "Page three text"])))
    assert doc.title == "mixed"
    assert doc.text == "Page one text\nPage three text"
    assert doc.metadata["pages"] == "3"
    assert doc.warnings == ["page 2 has no text layer (scanned?); OCR is not applied at ingest"]


def test_pdf_without_any_text_layer_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", make_pdf([None]))
    with pytest.raises(LoadError, match=r"scan\.pdf: .*has no text layer"):
        load_path(path)


def test_pdf_corrupt(tmp_path: Path) -> None:
    for name, data in (("random.pdf", bytes(range(256)) * 8), ("truncated.pdf", make_pdf(["Text"])[:60])):
        with pytest.raises(LoadError, match=f"{name}: not a readable PDF file"):
            load_path(write(tmp_path / name, data))


def test_pdf_encrypted(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Protected text"]))))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(LoadError, match="encrypted PDF"):
        load_path(write(tmp_path / "locked.pdf", encrypted("secret")))
    # Owner-password-only PDFs open with the empty user password.
    assert load_one(write(tmp_path / "open.pdf", encrypted(""))).text == "Protected text"


def test_pdf_encryption_needing_missing_crypto_library(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import DependencyError

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["AES text"]))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)

    def no_aes(self: PdfReader, password: str | bytes) -> None:
        raise DependencyError("cryptography>=3.1 is required for AES algorithm")

    monkeypatch.setattr(PdfReader, "decrypt", no_aes)
    with pytest.raises(LoadError, match="encrypted PDF needs a crypto library"):
        load_path(write(tmp_path / "aes.pdf", out.getvalue()))


# --------------------------------------------------------------------------------------------------
# JSONL corpus
# --------------------------------------------------------------------------------------------------


def _jsonl(*records: object) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def test_jsonl_good_malformed_and_duplicate_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path / "corpus" / "faq.jsonl",
        _jsonl(
            {
                "id": "q1",
                "title": "如何办理居住证",
                "text": "携带身份证到派出所办理。",
                "tags": ["户籍", "居住证"],
            },
            "{not json",
            {"id": "q2", "title": "", "text": "可在线预约。", "year": 2024, "extra": {"部门": "公安"}},
            "",
            {"id": "q1", "title": "重复", "text": "重复记录"},
            ["a", "list"],
            {"id": "q3", "title": "缺正文"},
            {"title": "缺编号", "text": "正文"},
            {"id": 7, "text": "整数编号", "source": "市政务服务中心"},
        ),
    )
    docs = load_path(path, root=tmp_path)
    assert [d.doc_id for d in docs] == ["q1", "q2", "7"]
    first, second, third = docs
    assert first.title == "如何办理居住证"
    assert first.text == "携带身份证到派出所办理。"
    assert first.source == "corpus/faq.jsonl#1"
    assert first.metadata == {"tags": "户籍、居住证", "source_format": "jsonl", "source": "corpus/faq.jsonl"}
    assert second.title == "q2"  # empty title -> id
    assert second.source == "corpus/faq.jsonl#3"
    assert second.metadata["year"] == "2024"
    assert second.metadata["extra"] == '{"部门": "公安"}'
    assert third.title == "7"
    assert third.source == "corpus/faq.jsonl#9"
    assert third.metadata["orig_source"] == "市政务服务中心"
    assert third.metadata["source"] == "corpus/faq.jsonl"
    assert second.warnings == [] and third.warnings == []
    warnings = first.warnings
    assert [w.split(":")[0] for w in warnings] == ["line 2", "line 5", "line 6", "line 7", "line 8"]
    assert warnings[0].startswith("line 2: invalid JSON (")
    assert warnings[1] == "line 5: duplicate id 'q1' (first on line 1); skipped"
    assert warnings[2] == "line 6: expected a JSON object, got list; skipped"
    assert warnings[3] == "line 7: missing or empty 'text'; skipped"
    assert warnings[4].startswith("line 8: missing or invalid 'id'")
    assert all(w.endswith("; skipped") for w in warnings)


def test_jsonl_all_bad_or_empty(tmp_path: Path) -> None:
    bad = write(tmp_path / "bad.jsonl", _jsonl("{oops", {"id": "x", "text": "  "}))
    with pytest.raises(
        LoadError, match=r"bad\.jsonl: no valid record .*line 1: invalid JSON.*line 2: missing"
    ):
        load_path(bad)
    for name, data in (("empty.jsonl", b""), ("blank.jsonl", b"\n \n")):
        with pytest.raises(LoadError, match="empty JSONL corpus"):
            load_path(write(tmp_path / name, data))


# --------------------------------------------------------------------------------------------------
# Sidecar metadata
# --------------------------------------------------------------------------------------------------


def test_sidecar_yaml_overrides_id_and_title(tmp_path: Path) -> None:
    path = write(tmp_path / "policies" / "gf-2024-3.txt", "正文内容")
    write(
        tmp_path / "policies" / "gf-2024-3.meta.yaml",
        "doc_id: 国发〔2024〕3号\ntitle: 国务院关于优化政务服务的意见\n"
        "issuer: 国务院\ndate: 2024-03-01\ntags: [政务服务, 营商环境]\nvalid: true\nsource: 中国政府网\n"
        "empty:\n",
    )
    doc = load_one(path, root=tmp_path)
    assert doc.doc_id == "国发〔2024〕3号"
    assert doc.title == "国务院关于优化政务服务的意见"
    assert doc.metadata == {
        "issuer": "国务院",
        "date": "2024-03-01",
        "tags": "政务服务、营商环境",
        "valid": "true",
        "orig_source": "中国政府网",
        "source_format": "txt",
        "source": "policies/gf-2024-3.txt",
    }


def test_sidecar_json_and_specific_name_wins(tmp_path: Path) -> None:
    md = write(tmp_path / "guide.md", "# 标题\n正文")
    write(tmp_path / "guide.meta.json", json.dumps({"department": "民政局"}, ensure_ascii=False))
    assert load_one(md).metadata["department"] == "民政局"
    assert load_one(md).title == "标题"  # no title in the sidecar: derived title kept
    write(tmp_path / "guide.md.meta.yaml", "department: 人社局\n")
    assert load_one(md).metadata["department"] == "人社局"


def test_sidecar_applies_to_jsonl_records(tmp_path: Path) -> None:
    path = write(tmp_path / "c.jsonl", _jsonl({"id": "a", "title": "t", "text": "x", "region": "区级"}))
    write(tmp_path / "c.meta.yaml", "region: 市级\nlicense: CC-BY\ndoc_id: ignored\n")
    (doc,) = load_path(path)
    assert doc.doc_id == "a"
    assert doc.metadata["region"] == "区级"  # record value wins over the sidecar default
    assert doc.metadata["license"] == "CC-BY"
    assert any("sidecar doc_id/title ignored" in w for w in doc.warnings)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.meta.yaml", "title: [unclosed\n", "invalid sidecar metadata x.meta.yaml"),
        ("x.meta.json", "{bad json", "invalid sidecar metadata x.meta.json"),
        ("x.meta.yaml", "- just\n- a list\n", "must be a mapping, not list"),
    ],
)
def test_sidecar_invalid(tmp_path: Path, name: str, content: str, message: str) -> None:
    path = write(tmp_path / "x.txt", "正文")
    write(tmp_path / name, content)
    with pytest.raises(LoadError, match=message):
        load_path(path)


# --------------------------------------------------------------------------------------------------
# Ids and file discovery
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("policies/gf-2024-3.txt", "gf-2024-3"),
        ("国发〔2024〕3号.PDF", "国发-2024-3号"),
        ("Ｆｕｌｌ　Width_Name v1.2.docx", "full-width-name-v1-2"),
        ("二〇二四年 工作要点.md", "二〇二四年-工作要点"),
    ],
)
def test_make_doc_id(path: str, expected: str) -> None:
    assert make_doc_id(Path(path), None) == expected
    assert make_doc_id(Path("root") / path, Path("root")) == expected


def test_make_doc_id_fallback_is_stable_hash(tmp_path: Path) -> None:
    first = make_doc_id(tmp_path / "a" / "___.txt", tmp_path)
    assert first.startswith("doc-") and len(first) == 14
    assert first == make_doc_id(tmp_path / "a" / "___.txt", tmp_path)
    assert first != make_doc_id(tmp_path / "b" / "___.txt", tmp_path)


def test_iter_files_walks_sorted_and_skips(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    for rel in (
        "b.txt",
        "a.md",
        "a.meta.yaml",
        "README.md",
        "notes.xlsx",
        ".hidden.txt",
        "~$draft.docx",
        ".git/config.txt",
        "raw/scan.pdf",
        "sub/c.html",
        "sub/d.PDF",
        "sub/raw/e.txt",
        "sub/deeper/f.jsonl",
        "sub/deeper/f.meta.json",
    ):
        write(corpus / rel, "x")
    extra = write(tmp_path / "README.md", "# 说明")
    found = iter_files([corpus, extra, corpus / "b.txt"])
    assert [p.relative_to(tmp_path).as_posix() for p in found] == [
        "corpus/a.md",
        "corpus/b.txt",
        "corpus/sub/c.html",
        "corpus/sub/d.PDF",
        "corpus/sub/deeper/f.jsonl",
        "README.md",  # passed explicitly: kept
    ]


def test_iter_files_missing_path(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="no such file or directory"):
        iter_files([tmp_path / "nope"])


def test_iter_files_then_load_everything(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", "甲")
    write(tmp_path / "b.html", "<p>乙</p>")
    write(tmp_path / "c.pdf", make_pdf(["C"]))
    build_docx(tmp_path / "d.docx")
    write(tmp_path / "e.jsonl", _jsonl({"id": "e1", "title": "", "text": "戊"}))
    docs = [doc for path in iter_files([tmp_path]) for doc in load_path(path, root=tmp_path)]
    assert [d.doc_id for d in docs] == ["a", "b", "c", "d", "e1"]
    assert [d.metadata["source_format"] for d in docs] == ["txt", "html", "pdf", "docx", "jsonl"]
