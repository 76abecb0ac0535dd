"""The PDF certificate of a licence (WeasyPrint, Noto CJK) and the signed payload inside it.

The PDF carries the signed payload and its signature as an embedded file whose text
starts with ``MARKER``; ``extract_signed`` finds it again in any PDF without a PDF
library (it scans the file's streams, inflating each just far enough to see the marker).
The seal is drawn here as SVG; the QR code opens this node's verification page.
"""

from __future__ import annotations

import base64
import io
import json
import math
import re
import zlib
from html import escape
from typing import Any

import qrcode
from weasyprint import HTML, Attachment

from tongban.config import CONFIG

MARKER = "TONGBAN-LICENCE-SIGNED-V1\n"
_MARKER_BYTES = MARKER.encode()
_STREAM_RE = re.compile(rb"stream\r?\n")
ATTACHMENT_NAME = "licence-signed.json"


def verify_url(identifier: str) -> str:
    return f"{CONFIG.public_url}/licences/verify/?id={identifier}"


def qr_png(text: str) -> bytes:
    qr = qrcode.QRCode(border=1, box_size=8, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(text)
    qr.make(fit=True)
    buf = io.BytesIO()
    qr.make_image(fill_color="black", back_color="white").save(buf, format="PNG")
    return buf.getvalue()


def data_uri(mime: str, data: bytes) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def seal_svg(issuer_name: str, caption: str = "电子证照专用章") -> str:
    """A round red seal: the issuer's name along the upper arc, a star, a caption."""
    size, r_text = 200, 74
    chars = list(issuer_name[:20]) or ["章"]
    span = min(240.0, 18.0 * len(chars))  # degrees the name spans
    parts = []
    for i, ch in enumerate(chars):
        angle = -span / 2 + (span * (i + 0.5) / len(chars))  # 0 = top centre
        rad = math.radians(angle - 90)
        x, y = 100 + r_text * math.cos(rad), 100 + r_text * math.sin(rad)
        parts.append(
            f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate({angle:.1f} {x:.1f} {y:.1f})" '
            f'text-anchor="middle" dominant-baseline="central">{escape(ch)}</text>'
        )
    star = []
    for k in range(10):
        rr = 24 if k % 2 == 0 else 10
        a = math.radians(-90 + k * 36)
        star.append(f"{100 + rr * math.cos(a):.1f},{100 + rr * math.sin(a):.1f}")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 200 200">'
        '<circle cx="100" cy="100" r="94" fill="none" stroke="#d7261e" stroke-width="6"/>'
        f'<polygon points="{" ".join(star)}" fill="#d7261e"/>'
        '<g fill="#d7261e" font-family="Noto Serif CJK SC, Noto Sans CJK SC" font-size="19" '
        f'font-weight="bold">{"".join(parts)}</g>'
        '<text x="100" y="150" text-anchor="middle" fill="#d7261e" font-size="14" '
        f'font-family="Noto Sans CJK SC">{escape(caption)}</text>'
        "</svg>"
    )


_CSS = """
@page { size: A4; margin: 16mm; }
body { font-family: "Noto Serif CJK SC", "Noto Sans CJK SC", serif; color: #222; }
.frame { border: 3px double #b8860b; padding: 14mm 12mm 8mm; }
h1 { text-align: center; font-size: 28pt; letter-spacing: 6pt; margin: 0 0 4mm; }
.sub { text-align: center; color: #666; font-size: 10pt; margin-bottom: 8mm; }
table.data { width: 100%; border-collapse: collapse; font-size: 12pt; }
table.data th { text-align: left; width: 32%; color: #555; font-weight: normal; padding: 2.5mm 0; }
table.data td { padding: 2.5mm 0; border-bottom: 1px solid #eee; }
table.foot { width: 100%; margin-top: 16mm; }
table.foot td { vertical-align: bottom; }
.qr { text-align: center; font-size: 8pt; color: #555; width: 40mm; }
.qr img { width: 34mm; height: 34mm; }
.issuer { text-align: center; font-size: 12pt; }
.seal { width: 44mm; height: 44mm; margin-bottom: -30mm; opacity: .85; }
.id { margin-top: 8mm; font-size: 8pt; color: #555; word-break: break-all;
      font-family: "Noto Sans Mono CJK SC", monospace; }
"""


def certificate_html(payload: dict[str, Any], type_fields: list[dict[str, str]]) -> str:
    labels = {f.get("key", ""): f.get("label", "") for f in type_fields}
    rows = [
        ("持证主体", payload["holder_name"]),
        (
            "统一社会信用代码" if payload["holder_code_type"] == "001" else "公民身份号码",
            payload["holder_code"],
        ),
        ("证照编号", payload["number"]),
    ]
    rows += [(labels.get(k) or k, v) for k, v in payload["fields"].items()]
    valid = f"{payload['valid_from']} 至 {payload['valid_to'] or '长期'}"
    rows += [("有效期限", valid), ("颁证日期", payload["issue_date"])]
    body = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>" for k, v in rows)
    qr = data_uri("image/png", qr_png(verify_url(payload["identifier"])))
    seal = data_uri("image/svg+xml", seal_svg(payload["issuer_name"]).encode())
    return (
        f'<html lang="zh-Hans"><head><meta charset="utf-8"><title>{escape(payload["type_name"])}'
        f"</title><style>{_CSS}</style></head><body><div class='frame'>"
        f"<h1>{escape(payload['type_name'])}</h1>"
        f"<p class='sub'>电子证照 · 证照类型代码 {escape(payload['type_code'])}</p>"
        f"<table class='data'>{body}</table>"
        f"<table class='foot'><tr><td class='qr'><img src='{qr}' alt='核验二维码'><br>扫码核验</td>"
        f"<td class='issuer'><img class='seal' src='{seal}' alt='电子印章'><br>颁发机构<br>"
        f"<strong>{escape(payload['issuer_name'])}</strong><br>"
        f"{escape(payload['issue_date'])}</td></tr></table>"
        f"<p class='id'>电子证照标识：{escape(payload['identifier'])}</p>"
        "</div></body></html>"
    )


def render_pdf(payload: dict[str, Any], signature: str, type_fields: list[dict[str, str]]) -> bytes:
    signed = MARKER + json.dumps(
        {"payload": payload, "signature": signature}, ensure_ascii=False, sort_keys=True
    )
    attachment = Attachment(string=signed, name=ATTACHMENT_NAME, description="签名数据")
    pdf = HTML(string=certificate_html(payload, type_fields)).write_pdf(attachments=[attachment])
    assert pdf is not None
    return bytes(pdf)


def render_png(payload: dict[str, Any], type_fields: list[dict[str, str]]) -> bytes:
    """The certificate as a PNG (first page), for looking at it."""
    import subprocess
    import tempfile

    pdf = HTML(string=certificate_html(payload, type_fields)).write_pdf()
    with tempfile.TemporaryDirectory() as tmp:
        with open(f"{tmp}/c.pdf", "wb") as fh:
            fh.write(pdf or b"")
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-singlefile", f"{tmp}/c.pdf", f"{tmp}/c"], check=True
        )
        with open(f"{tmp}/c.png", "rb") as fh:
            return fh.read()


def _inflate_head(data: bytes, start: int, n: int) -> bytes:
    try:
        return zlib.decompressobj().decompress(data[start : start + 4096], n)
    except zlib.error:
        return b""


def extract_signed(pdf: bytes) -> dict[str, Any] | None:
    """The {"payload", "signature"} object embedded by ``render_pdf``, or None."""
    for m in _STREAM_RE.finditer(pdf):
        start = m.end()
        if pdf.startswith(_MARKER_BYTES, start):
            end = pdf.find(b"endstream", start)
            text = pdf[start + len(_MARKER_BYTES) : end if end > 0 else None]
        elif _inflate_head(pdf, start, len(_MARKER_BYTES)) == _MARKER_BYTES:
            d = zlib.decompressobj()
            try:
                text = d.decompress(pdf[start:])[len(_MARKER_BYTES) :]
            except zlib.error:
                continue
        else:
            continue
        try:
            found = json.loads(text.decode("utf-8").strip())
        except (UnicodeDecodeError, ValueError):
            return None
        if isinstance(found, dict) and isinstance(found.get("payload"), dict):
            return found
        return None
    return None
