"""Upload checks: size and real type from the bytes (never the file name or the claimed
type alone). Accepted: PDF, JPEG, PNG and OFD (GB/T 33190: a zip with OFD.xml at its root).
"""

from __future__ import annotations

import hashlib
import io
import zipfile

from tongban.config import CONFIG
from tongban.core.errors import ValidationFailed

PDF, JPEG, PNG, OFD = "application/pdf", "image/jpeg", "image/png", "application/ofd"
ACCEPTED = frozenset({PDF, JPEG, PNG, OFD})
_ALIASES = {"image/jpg": JPEG, "application/x-ofd": OFD}


def sniff(data: bytes) -> str | None:
    """The content type the bytes really are, or None."""
    if data.startswith(b"%PDF-"):
        return PDF
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                names = {n.lower() for n in zf.namelist()}
        except zipfile.BadZipFile:
            return None
        if "ofd.xml" in names:
            return OFD
    return None


def check_upload(data: bytes, *, claimed_type: str, field: str = "file") -> tuple[str, str]:
    """Validate an upload; return (content type, sha256). Raises coded errors."""
    if len(data) > CONFIG.upload_max_bytes:
        raise ValidationFailed(
            "file_too_large",
            f"文件超过大小上限（{CONFIG.upload_max_bytes // (1024 * 1024)} MB）",
            field=field,
        )
    if not data:
        raise ValidationFailed("file_type_unsupported", "文件为空", field=field)
    actual = sniff(data)
    if actual is None:
        raise ValidationFailed("file_type_unsupported", field=field)
    claimed = _ALIASES.get(claimed_type.lower().strip(), claimed_type.lower().strip())
    if claimed and claimed != "application/octet-stream" and claimed != actual:
        raise ValidationFailed(
            "file_type_mismatch", f"文件声明为 {claimed_type}，实际为 {actual}", field=field
        )
    return actual, hashlib.sha256(data).hexdigest()
