"""Generate the search test set: 320 minutes and graded queries, deterministically.

    python corpora/search/generate.py          # rewrites minutes/, queries.jsonl, manifest.json

Each minute has one main topic (its report, tasks, a member's remark and a
resolution item), sometimes another topic mentioned in passing in the news
briefing, and sometimes one conduct topic in the criticism part; the rest is
routine wording shared by all minutes. Relevance follows from that:
grade 2 = the minute's main topic (or its conduct topic, for conduct queries),
grade 1 = the topic is only mentioned in passing. Three layouts, many units,
names and dates vary the surface. Running it twice gives the same files.
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from topics import CONDUCT, MAIN  # noqa: E402

SEED = 20240611
N_MINUTES = 320
MENTION_RATE = 0.35
CONDUCT_RATE = 0.7

COMMUNES = ["Tân Hòa", "Minh Đức", "Yên Lạc", "Phú Thịnh", "Hòa Bình", "Đông Sơn", "Quảng Phú", "Thạch Bàn"]
VILLAGES = ["Thôn 1", "Thôn 2", "Thôn Đông", "Thôn Trung", "Xóm Bến", "Thôn Gò Mít", "Ấp Bình An", "Khu phố 3",
            "Thôn Cây Đa", "Thôn Làng Vạc", "Bản Nà Lừa", "Thôn Hạ"]
PLACES = ["xứ đồng Gò Cao", "cánh đồng Mả Lạng", "xóm Giữa", "đội 5", "khu Đồng Chùa", "ven sông Cái", "xóm Trại",
          "khu dân cư số 2", "đầu cầu Khe", "bãi Soi", "xóm Chợ", "đồi Thông"]
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Ngô", "Dương", "Lý", "Phan", "Hà"]
MIDDLES_M = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân"]
MIDDLES_F = ["Thị", "Thu", "Ngọc", "Thanh", "Minh"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Khang", "Long", "Nam", "Phúc", "Quyết", "Sơn", "Thắng",
           "Tuấn", "Việt", "Toàn", "Hiếu", "Lâm"]
GIVEN_F = ["Lan", "Hoa", "Hương", "Liên", "Mai", "Nga", "Oanh", "Phương", "Thảo", "Trang", "Tâm", "Yến", "Hằng"]

ROUTINE_NEWS = [
    "Đồng chí chủ trì thông tin tình hình thời sự trong nước và quốc tế nổi bật trong tháng.",
    "Phổ biến kế hoạch của Đảng ủy xã tổ chức các hoạt động kỷ niệm ngày lễ lớn trong tháng.",
    "Thông báo kết quả hội nghị Ban Chấp hành Đảng bộ xã và chương trình công tác tháng tới.",
    "Quán triệt văn bản của cấp trên về tăng cường công tác kiểm tra, giám sát.",
]
ROUTINE_REPORT = [
    "Các đoàn thể duy trì sinh hoạt đều đặn, tham gia đầy đủ các hoạt động do xã phát động.",
    "Tình hình nhân dân phấn khởi, đời sống cơ bản ổn định.",
    "Chi ủy họp đúng định kỳ, chuẩn bị nội dung sinh hoạt chu đáo.",
    "Hạn chế: một số đảng viên chưa phát huy vai trò nêu gương ở khu dân cư.",
    "Các tổ đảng đã nắm tình hình đảng viên và quần chúng trên địa bàn.",
]
ROUTINE_TASK = [
    "Tổ chức treo cờ Tổ quốc dịp lễ; duy trì sinh hoạt các chi hội đoàn thể.",
    "Chi ủy chuẩn bị nội dung sinh hoạt chuyên đề quý.",
    "Các tổ đảng nắm chắc tình hình, báo cáo chi ủy trước ngày sinh hoạt.",
]
ROUTINE_REMARK = [
    "Nhất trí với báo cáo của chi ủy, đề nghị bổ sung giải pháp cụ thể cho từng việc.",
    "Đề nghị chi ủy phân công rõ người, rõ việc, rõ thời gian hoàn thành.",
    "Các đoàn thể sẽ phối hợp tuyên truyền để nhân dân hiểu và đồng thuận.",
]
ROUTINE_CONDUCT = [
    "Chi bộ nhắc nhở các đồng chí đảng viên tham gia sinh hoạt đúng giờ.",
    "Các đồng chí đảng viên tích cực tham gia ý kiến, thể hiện tinh thần tự phê bình và phê bình.",
]


def _name(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES_F)} {rng.choice(GIVEN_F)}"


def _fill(template: str, rng: random.Random, people: list[str]) -> str:
    n, n2 = rng.randint(2, 40), rng.randint(2, 12)
    return template.format(
        n=n, n2=n2, pct=rng.choice([62, 75, 80, 85, 88, 90, 92, 95, 97]), ha=rng.choice(["1,5", "2", "3,2", "4", "6,8"]),
        money=rng.choice([45, 120, 260, 380, 510, 900]), place=rng.choice(PLACES),
        name=people[3], name2=people[4], name3=_name(rng))


def _minute(i: int, rng: random.Random, unit: tuple[str, str], date: tuple[int, int, int], main: str,
            mention: str | None, conduct: str | None) -> str:
    commune, village = unit
    day, month, year = date
    people = [_name(rng) for _ in range(7)]
    chair, secretary = people[0], people[1]
    t = MAIN[main]
    style = i % 3
    total = rng.randint(14, 45)
    exempt = rng.randint(0, 3)
    absent = rng.randint(0, 2)
    present = total - exempt - absent
    prev = f"{month - 1 if month > 1 else 12}/{year if month > 1 else year - 1}"

    news = [rng.choice(ROUTINE_NEWS)]
    if mention:
        news.append(str(MAIN[mention]["mention"]))
    news.append(rng.choice(ROUTINE_NEWS))
    report = [_fill(s, rng, people) for s in t["report"]] + rng.sample(ROUTINE_REPORT, 2)  # type: ignore[union-attr]
    rng.shuffle(report)
    tasks = [_fill(rng.choice(t["task"]), rng, people)] + rng.sample(ROUTINE_TASK, 2)  # type: ignore[arg-type]
    remarks = [(people[2], _fill(rng.choice(t["discuss"]), rng, people))]  # type: ignore[arg-type]
    remarks += [(people[5], rng.choice(ROUTINE_REMARK)), (people[6], rng.choice(ROUTINE_REMARK))]
    rng.shuffle(remarks)
    conduct_lines = [rng.choice(ROUTINE_CONDUCT)]
    if conduct:
        conduct_lines.insert(0, _fill(rng.choice(CONDUCT[conduct]["sentences"]), rng, people))  # type: ignore[arg-type]
    resolution = [_fill(s, rng, people) for s in t["task"]] + rng.sample(ROUTINE_TASK, 1)  # type: ignore[union-attr]

    lines: list[str] = []
    lines += [f"ĐẢNG BỘ XÃ {commune.upper()}                ĐẢNG CỘNG SẢN VIỆT NAM",
              f"CHI BỘ {village.upper()}",
              f"                                 {commune}, ngày {day:02d} tháng {month} năm {year}", "",
              "                                 BIÊN BẢN",
              f"                SINH HOẠT CHI BỘ THƯỜNG KỲ THÁNG {month} NĂM {year}", ""]
    if style == 0:
        lines += ["I. THỜI GIAN, ĐỊA ĐIỂM", "",
                  f"Vào hồi 19h30 ngày {day:02d}/{month}/{year}, tại Nhà văn hóa {village}, Chi bộ {village} "
                  f"tiến hành sinh hoạt thường kỳ tháng {month} năm {year}.", "",
                  "II. THÀNH PHẦN", ""]
    else:
        lines += [f"Hôm nay, vào lúc 14 giờ 00 phút ngày {day:02d} tháng {month} năm {year}, tại hội trường "
                  f"{village}, Chi bộ {village} tổ chức sinh hoạt thường kỳ.", "",
                  "* Thành phần:" if style == 1 else "PHẦN THỨ NHẤT: THÀNH PHẦN", ""]
    lines += [f"- Chủ trì: đồng chí {chair}, Bí thư chi bộ.",
              f"- Thư ký: đồng chí {secretary}, chi ủy viên.",
              f"- Chi bộ có {total} đảng viên; được miễn sinh hoạt {exempt:02d} đồng chí; có mặt "
              f"{present}/{total - exempt} đồng chí; vắng có lý do {absent:02d} đồng chí.",
              "- Đảng phí tháng trước đã thu đủ.", ""]
    if style == 0:
        heads = ["III. NỘI DUNG SINH HOẠT", "1. Thông tin thời sự", f"2. Kết quả thực hiện Nghị quyết tháng {prev}",
                 f"3. Nhiệm vụ tháng {month}/{year}", "4. Ý kiến thảo luận", "5. Biểu dương, nhắc nhở, phê bình",
                 "IV. KẾT LUẬN VÀ NGHỊ QUYẾT", "1. Đồng chí chủ trì kết luận", f"2. Nghị quyết tháng {month}/{year}",
                 "3. Biểu quyết"]
    elif style == 1:
        heads = ["* Nội dung sinh hoạt:", "a) Thông tin thời sự, phổ biến văn bản",
                 f"b) Đánh giá kết quả thực hiện nhiệm vụ tháng {prev}", f"c) Phương hướng nhiệm vụ tháng {month}/{year}",
                 "* Các ý kiến tham gia:", "* Tự phê bình và phê bình:", "* Kết luận:",
                 "Đồng chí chủ trì kết luận:", f"* Nghị quyết tháng {month}/{year}:", "* Biểu quyết:"]
    else:
        heads = ["PHẦN THỨ HAI: NỘI DUNG", "1. Thông tin, quán triệt", f"2. Báo cáo kết quả tháng {prev}",
                 f"3. Nhiệm vụ tháng {month}", "4. Thảo luận", "5. Kiểm điểm, phê bình", "PHẦN THỨ BA: KẾT LUẬN",
                 "1. Kết luận của đồng chí chủ trì", f"2. Nghị quyết tháng {month}/{year}", "3. Biểu quyết"]
    lines += [heads[0], "", heads[1]] + news + ["", heads[2], f"Đồng chí {chair} thay mặt chi ủy báo cáo:"]
    lines += [f"- {s}" for s in report] + ["", heads[3]] + [f"- {s}" for s in tasks] + ["", heads[4]]
    lines += [f"- Đồng chí {who}: {what}" for who, what in remarks] + ["", heads[5]]
    lines += [f"- {s}" for s in conduct_lines] + ["", heads[6], "", heads[7]]
    lines += [f"Đồng chí {chair} tiếp thu ý kiến của các đồng chí đảng viên; kết luận tháng {prev} chi bộ hoàn thành "
              f"cơ bản các nhiệm vụ đề ra; tháng {month}/{year} tập trung thực hiện các nhiệm vụ trong nghị quyết.", "",
              heads[8]]
    deadline = f"{min(day + 20, 28):02d}/{month}/{year}"
    owners = rng.sample(people[1:], len(resolution))
    lines += [f"({k + 1}) {s} Giao đồng chí {o}, hoàn thành trước ngày {deadline}."
              for k, (s, o) in enumerate(zip(resolution, owners, strict=True))]
    voters = present - rng.randint(0, 2)
    lines += ["", heads[9],
              f"Chi bộ biểu quyết bằng hình thức giơ tay: {voters}/{voters} đồng chí tán thành, đạt 100%.", "",
              "Thư ký đọc lại biên bản, chi bộ nhất trí thông qua.",
              "Buổi sinh hoạt kết thúc lúc 21h15 cùng ngày." if style == 0 else
              "Buổi sinh hoạt kết thúc vào lúc 16 giờ 00 phút cùng ngày.", "",
              "           THƯ KÝ                                    T/M CHI BỘ",
              "                                                        BÍ THƯ", "",
              f"    {secretary}                              {chair}", ""]
    return "\n".join(lines)


def generate(out: Path = HERE) -> None:
    rng = random.Random(SEED)
    units = [(c, v) for c in COMMUNES for v in rng.sample(VILLAGES, 6)]
    mains = sorted(MAIN)
    conducts = sorted(CONDUCT)
    order = [mains[i % len(mains)] for i in range(N_MINUTES)]
    rng.shuffle(order)
    minutes_dir = out / "minutes"
    minutes_dir.mkdir(parents=True, exist_ok=True)
    for old in minutes_dir.glob("m*.txt"):
        old.unlink()
    manifest = []
    for i, main in enumerate(order):
        unit = units[i % len(units)]
        date = (rng.randint(2, 12), rng.randint(1, 12), rng.randint(2019, 2025))
        mention = rng.choice([m for m in mains if m != main]) if rng.random() < MENTION_RATE else None
        conduct = rng.choice(conducts) if rng.random() < CONDUCT_RATE else None
        name = f"m{i + 1:03d}.txt"
        text = _minute(i, rng, unit, date, main, mention, conduct)
        (minutes_dir / name).write_text(text, encoding="utf-8")
        manifest.append({"file": name, "dang_bo": f"Đảng bộ xã {unit[0]}", "chi_bo": f"Chi bộ {unit[1]}",
                         "date": f"{date[2]:04d}-{date[1]:02d}-{date[0]:02d}", "main": main, "mention": mention,
                         "conduct": conduct})
    queries = []
    for key in mains:
        for kind, text in MAIN[key]["queries"]:  # type: ignore[union-attr]
            rel = {m["file"]: 2 for m in manifest if m["main"] == key}
            rel.update({m["file"]: 1 for m in manifest if m["mention"] == key and m["file"] not in rel})
            queries.append({"qid": f"{key}.{kind}", "query": text, "kind": kind, "topic": key, "relevant": rel})
    for key in conducts:
        for kind, text in CONDUCT[key]["queries"]:  # type: ignore[union-attr]
            rel = {m["file"]: 2 for m in manifest if m["conduct"] == key}
            queries.append({"qid": f"{key}.{kind}", "query": text, "kind": kind, "topic": key, "section": "criticism",
                            "relevant": rel})
    with (out / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for q in queries:
            fh.write(json.dumps(q, ensure_ascii=False, sort_keys=True) + "\n")
    (out / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    generate()
