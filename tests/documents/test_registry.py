"""Formats are told by content, never by name; plain text keeps every encoding it read before."""

import io
import unicodedata
import zipfile

import pytest

from service.documents.plain import decode_plain
from service.documents.registry import format_from_name, sniff
from service.errors import MinutesError
from service.settings import Limits

TEXT = "Biên bản họp chi bộ tháng 3 năm 2024. Chủ trì: đồng chí Nguyễn Văn Bộ. Đảng ủy xã, Thư ký."


def _zip(names: list[str]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for n in names:
            z.writestr(n, "<x/>")
    return buf.getvalue()


@pytest.mark.parametrize("data,fmt", [
    (b"%PDF-1.7\n%...", "pdf"),
    (_zip(["[Content_Types].xml", "word/document.xml"]), "docx"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "doc"),
    (b"{\\rtf1\\ansi hello}", "rtf"),
    (b"\x89PNG\r\n\x1a\n....", "png"),
    (b"\xff\xd8\xff\xe0....", "jpeg"),
    (b"II*\x00....", "tiff"),
    (b"MM\x00*....", "tiff"),
    (TEXT.encode(), "txt"),
])
def test_sniff_reads_magic_bytes(data, fmt):
    assert sniff(data) == fmt


@pytest.mark.parametrize("data,code", [
    (_zip(["xl/workbook.xml"]), "UNSUPPORTED_FORMAT"),
    (b"GIF89a....", "UNSUPPORTED_FORMAT"),
    (b"\x7fELF\x02\x01", "UNSUPPORTED_FORMAT"),
    (b"PK\x03\x04garbage-not-a-zip", "CORRUPT_FILE"),
])
def test_sniff_refuses_what_it_cannot_read(data, code):
    with pytest.raises(MinutesError) as e:
        sniff(data)
    assert e.value.code == code and e.value.status in (415, 422)


def test_file_name_only_reports_a_claim():
    assert format_from_name("bien-ban.DOCX") == "docx"
    assert format_from_name("scan.jpg") == "jpeg"
    assert format_from_name("noext") is None
    # The name claims PDF, the content is plain text: content wins.
    assert sniff(TEXT.encode()) == "txt" and format_from_name("bb.pdf") == "pdf"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Word writes it: precomposed where the code page has a letter, else a combining tone."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in unicodedata.normalize("NFC", text):
        try:
            out.append(ch.encode("cp1258"))
        except UnicodeEncodeError:
            d = unicodedata.normalize("NFD", ch)
            base = unicodedata.normalize("NFC", "".join(c for c in d if c not in tones))
            out.append((base + "".join(c for c in d if c in tones)).encode("cp1258"))
    return b"".join(out)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1258"])
def test_plain_text_encodings(encoding):
    data = _cp1258(TEXT) if encoding == "cp1258" else TEXT.encode(encoding)
    assert unicodedata.normalize("NFC", decode_plain(data, limits=Limits())) == TEXT


def test_legacy_8bit_text_is_passed_on_for_repair():
    from service.nlp.legacy import encode_tcvn3
    from service.nlp.normalize import normalize

    data = encode_tcvn3(TEXT).encode("latin-1")
    assert normalize(decode_plain(data, limits=Limits())).text.strip() == TEXT


def test_latin1_garbage_is_not_taken_for_windows_1258():
    with pytest.raises(MinutesError) as e:
        decode_plain(b"Bi\xean b\xe0n h\xf4p chi b\xf4 th\xe1ng 3 n\xe3m 2024", limits=Limits())
    assert e.value.code == "INVALID_ENCODING"
