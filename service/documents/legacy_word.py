"""Old Word (.doc) and RTF files, converted to .docx by LibreOffice headless.

LibreOffice is optional: where it is not installed these formats get a clear
"not supported on this server" answer. Fonts survive the conversion, so runs typed
in .VnTime or VNI fonts are decoded by the .docx reader afterwards.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from service.documents.base import Document
from service.documents.word import DocxConverter
from service.errors import ConversionError, ErrorCode

if TYPE_CHECKING:
    from service.settings import DocumentSettings

_OLE_ENCRYPTED = ("EncryptedPackage".encode("utf-16-le"), "EncryptionInfo".encode("utf-16-le"))


def soffice_path(binary: str = "soffice") -> str | None:
    """Full path of the LibreOffice program, or None when it is not installed."""
    return shutil.which(binary)


class LibreOfficeConverter:
    """.doc (Word 97–2003) or .rtf through ``soffice --convert-to docx``."""

    media_types = {"doc": "application/msword", "rtf": "application/rtf"}

    def __init__(self, fmt: str) -> None:
        self.format = fmt
        self.name = f"minutes.{fmt}.v1"
        self.media_type = self.media_types[fmt]

    def convert(self, data: bytes, *, settings: DocumentSettings) -> Document:
        """Convert to .docx with LibreOffice (killed after 80% of the time limit) and read that."""
        if self.format == "doc" and any(marker in data for marker in _OLE_ENCRYPTED):
            raise ConversionError(ErrorCode.ENCRYPTED_FILE,
                                  "Tệp Word có đặt mật khẩu; hãy gỡ mật khẩu rồi gửi lại.")
        binary = soffice_path(settings.soffice)
        if binary is None:
            raise ConversionError(
                ErrorCode.UNSUPPORTED_HERE,
                "Máy chủ này chưa cài LibreOffice nên chưa đọc được tệp Word cũ (.doc, .rtf). "
                "Hãy mở tệp bằng Word và lưu lại dạng .docx hoặc PDF rồi gửi lại.", status=415)
        with tempfile.TemporaryDirectory(prefix="minutes-lo-") as tmp:
            src = Path(tmp) / f"in.{self.format}"
            src.write_bytes(data)
            out_dir = Path(tmp) / "out"
            cmd = [binary, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation=file://{tmp}/profile",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(out_dir), str(src)]
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                    env={**os.environ, "HOME": tmp})
            # LibreOffice runs in its own session; stop it before the worker's own limit
            # would kill the worker and leave it behind.
            limit = settings.timeout_s * 0.8
            try:
                _, err = proc.communicate(timeout=limit)
            except subprocess.TimeoutExpired as e:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.communicate()
                raise ConversionError(ErrorCode.CONVERSION_TIMEOUT,
                                      f"Chuyển đổi tệp Word cũ quá {limit:.0f} giây.") from e
            out = out_dir / "in.docx"
            if not out.exists() or out.stat().st_size == 0:
                raise ConversionError(ErrorCode.CORRUPT_FILE,
                                      "Tệp Word cũ (.doc/.rtf) bị hỏng hoặc không đọc được.",
                                      errors=[err.decode("utf-8", "replace")[-300:].strip()])
            converted = out.read_bytes()
        doc = DocxConverter().convert(converted, settings=settings)
        doc.format, doc.media_type, doc.converter = self.format, self.media_type, f"{self.name}+libreoffice"
        return doc
