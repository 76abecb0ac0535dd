import io
import zipfile

import pytest

from tongban.cases.files import check_upload, sniff
from tongban.cases.testing import PDF_BYTES, PNG_BYTES
from tongban.core.errors import TongbanError


def _ofd() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("OFD.xml", "<ofd:OFD/>")
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("word/document.xml", "<w/>")
    return buf.getvalue()


@pytest.mark.parametrize(
    ("data", "kind"),
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
        (_ofd(), "application/ofd"),
        (_zip(), None),
        (b"MZ\x90\x00", None),
    ],
)
def test_sniff(data: bytes, kind: str | None) -> None:
    assert sniff(data) == kind


def test_disguised_and_oversized_uploads(settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(TongbanError) as e1:
        check_upload(PNG_BYTES, claimed_type="application/pdf")
    assert e1.value.code == "file_type_mismatch"
    with pytest.raises(TongbanError) as e2:
        check_upload(b"MZ\x90\x00 this is an exe", claimed_type="application/pdf")
    assert e2.value.code == "file_type_unsupported"
    from tongban.config import CONFIG

    with pytest.raises(TongbanError) as e3:
        check_upload(PDF_BYTES + b"\0" * CONFIG.upload_max_bytes, claimed_type="application/pdf")
    assert e3.value.code == "file_too_large"
    assert check_upload(_ofd(), claimed_type="application/ofd")[0] == "application/ofd"
