"""Person names as minutes write them: after "đồng chí", "đ/c", or alone in a list."""

from __future__ import annotations

import re

from service.nlp.text import Doc, fold

# Titles before a name, on the folded text ("đồng chí" → "dong chi", "Đ/c" → "d/c").
TITLE = r"(?:dong chi|d/c|d\.c|dc|d/chi)"

_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’])*")
# A name never starts with these words (they start roles and units: "Bí thư",
# "Ban Chấp hành"). Compared with diacritics, so the surname Đặng is not "đảng".
_NOT_FIRST = {
    "bí", "phó", "chủ", "trưởng", "thư", "ủy", "uỷ", "đảng", "chi", "tổ", "giám", "hiệu",
    "trạm", "kế", "cán", "bác", "đại", "ban", "hội", "công", "xã", "thôn", "phòng", "khoa",
    "bà", "anh", "chị", "em", "quần", "người", "các", "tập", "toàn", "nhà", "sở",
    "bộ", "huyện", "tỉnh", "phường", "khu", "ấp", "bản", "những", "mỗi", "trường", "thường", "phần", "ngày", "tháng", "năm", "quý", "theo", "căn", "tại", "trong", "sau",
    "hôm", "hai", "một", "ba", "bốn", "sáu", "bảy", "tám", "chín", "mười", "kết", "nghị",
    "biểu", "thảo", "ý", "góp", "tự", "phê", "nhắc", "chương", "nội", "thành", "tình",
    "vắng", "có", "tổng", "đồng", "cựu", "trung", "đề", "giao", "mặt", "điều",
}
# The same check for text typed without diacritics; surnames that fold to one of
# these words (Đặng, Đoàn, Tô, Hà, Hồ, Mai…) are left out on purpose.
_NOT_FIRST_PLAIN = {
    "bi", "pho", "truong", "thu", "uy", "chi", "giam", "hieu", "tram", "ke", "can",
    "bac", "dai", "ban", "hoi", "cong", "xa", "thon", "phong", "khoa", "anh", "em",
    "nguoi", "cac", "tap", "toan", "nha", "so", "bo", "huyen", "tinh", "phuong", "khu",
    "ap", "nhung", "moi", "thuong", "ngay", "thang", "nam", "quy", "theo", "tai", "trong",
    "hom", "hai", "mot", "bon", "sau", "bay", "tam", "chin", "muoi", "ket", "nghi", "bieu",
    "thao", "gop", "phe", "nhac", "chuong", "noi", "thanh", "vang", "co",
    "cuu", "de", "giao", "mat", "dieu",
}
_ROLE_BIGRAMS = {
    "bi thu", "pho bi", "chu tich", "chu tri", "thu ky", "uy vien", "dang uy", "chi uy",
    "to truong", "giam doc", "hieu truong", "ke toan", "can bo", "truong thon", "truong ban",
    "truong khoa", "truong phong", "truong tram", "pho chu", "pho truong", "pho giam",
    "pho hieu", "chi hoi", "bi thu,", "dang vien", "quan doc", "tong phu", "chinh tri", "chuc vu",
}


def _is_name_word(w: str) -> bool:
    return w[0].isupper()


# Never a surname, even after "đồng chí" ("đồng chí Bí thư", "đ/c Chủ tịch").
_NEVER_FIRST = {
    "bí", "chủ", "trưởng", "thư", "ủy", "uỷ", "đảng", "chi", "tổ", "giám", "hiệu", "trạm", "kế",
    "cán", "ban", "hội", "các", "phần", "quần", "những", "mỗi", "toàn", "tập", "bộ", "sở", "đại",
}


def read_name(text: str, start: int, *, min_words: int = 2, max_words: int = 5,
              titled: bool = False) -> tuple[str, int, int] | None:
    """Read a capitalised name starting at ``start`` (after any title).

    Returns (name, start, end) or None when no plausible name begins there.
    """
    pos = start
    words: list[tuple[str, int, int]] = []
    while len(words) < max_words:
        m = _WORD.match(text, pos)
        if not m or not _is_name_word(m.group(0)):
            break
        w = m.group(0)
        fw = fold(w)
        if not words:
            lw = w.lower()
            if titled:
                if lw in _NEVER_FIRST:
                    return None
            elif lw in _NOT_FIRST or (lw == fw and fw in _NOT_FIRST_PLAIN):
                return None
        if words:
            nxt = _WORD.match(text, m.end() + 1) if text[m.end():m.end() + 1] == " " else None
            pair = fw + " " + fold(nxt.group(0)) if nxt else ""
            if pair in _ROLE_BIGRAMS or w.lower() in {"bí", "phó", "chủ", "ủy", "đảng"}:
                break
        words.append((w, m.start(), m.end()))
        # Words of a name are separated by exactly one space.
        if text[m.end():m.end() + 1] == " " and m.end() + 1 < len(text):
            pos = m.end() + 1
        else:
            break
    if len(words) < min_words:
        # One-word names of Central Highlands peoples ("K'Brêu", "H'Hen") after a title.
        if not (titled and len(words) == 1 and re.search(r"['’]", words[0][0])):
            return None
    # A name written in capitals keeps its capitals; one mixed name must not
    # swallow a following capitalised role word such as "Bí".
    return " ".join(w for w, _, _ in words), words[0][1], words[-1][2]


TITLED_NAME = re.compile(rf"\b{TITLE}\s+")


def titled_names(doc: Doc, start: int, end: int) -> list[tuple[str, int, int]]:
    """Every "đồng chí NAME" in [start, end)."""
    out = []
    for m in TITLED_NAME.finditer(doc.fold, start, end):
        got = read_name(doc.text, m.end(), titled=True)
        if got and got[2] <= end:
            out.append(got)
    return out


def strip_title(name: str) -> str:
    """Drop a leading title ("đồng chí Nguyễn Văn An" → "Nguyễn Văn An")."""
    m = re.match(rf"\s*{TITLE}\s+", fold(name))
    return name[m.end():].strip() if m else name.strip()
