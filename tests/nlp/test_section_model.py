from service.nlp.section_model import DEFAULT_MODEL, SpacySectionClassifier, features, load_classifier, train
from service.schema.record import SectionKind


def test_features_fold_and_mark_body_words():
    assert features("Ý KIẾN THẢO LUẬN:", "- Đồng chí A: nhất trí") == "y kien thao luan | b_dong b_chi b_a b_nhat b_tri"


def test_a_small_model_learns_and_decides():
    rows = [("Thảo luận", "- Đồng chí A: đề nghị", "discussion"), ("Ý kiến tham gia", "- Đ/c B: nhất trí", "discussion"),
            ("Nghị quyết tháng 3", "(1) Làm đường: giao đ/c C", "resolution"), ("Nghị quyết", "1. Trồng cây", "resolution"),
            ("(1) Sửa cống", "giao đồng chí D", "none"), ("(2) Trồng cây", "giao đồng chí E", "none")] * 4
    clf = SpacySectionClassifier(train(rows, epochs=8))
    assert clf.best("Các ý kiến thảo luận", "- Đồng chí F: đề nghị")[0] == "discussion"
    assert clf.best("(3) Nạo vét kênh", "giao đồng chí G")[0] == "none"
    assert clf.best("Nghị quyết tháng 5", "(1) Sửa đường")[0] == "resolution"


def test_shipped_model_is_loaded_and_confident_on_plain_headings():
    clf = load_classifier(None)
    assert clf is not None, f"no model in {DEFAULT_MODEL}"
    assert clf.decide("PHẦN KẾT THÚC", "Thư ký đọc lại biên bản", None) in (SectionKind.CLOSING, SectionKind.CONCLUSION)
    assert clf.decide("Biểu quyết", "Tán thành 15/16 đồng chí", None) == SectionKind.VOTE
