"""Write queries-heldout.jsonl: new queries, never used for tuning, judged from manifest.json.

    python corpora/search/heldout.py

Per topic: two paraphrases, one direct and one ascii query. Judgements follow generate.py exactly:
main topic -> grade 2, mentioned in passing -> grade 1; conduct topic -> grade 2.
"""

from __future__ import annotations

import json
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from topics import CONDUCT, MAIN  # noqa: E402

P, D, A = "paraphrase", "direct", "ascii"

# (topic, kind, text); main topics first, then conduct topics, both in sorted key order.
QUERIES: list[tuple[str, str, str]] = [
    ("bau_cu", P, "xem tên mình có trong sổ những người được đi bầu không"),
    ("bau_cu", P, "người làm ăn xa có được đi bầu ở nơi đang ở trọ không"),
    ("bau_cu", D, "hội nghị cử tri nhận xét người ứng cử đại biểu"),
    ("bau_cu", A, "lap danh sach cu tri bo phieu bau cu"),
    ("be_tong_duong", P, "lối đi lầy lội mùa mưa, dân mong được đổ nền cứng"),
    ("be_tong_duong", P, "lối mới đổ xong đã rạn vỡ, nghi làm ẩu bớt vật liệu"),
    ("be_tong_duong", D, "thi công đường bê tông liên xóm giải phóng mặt bằng"),
    ("be_tong_duong", A, "be tong hoa duong giao thong noi dong"),
    ("bhyt", P, "người dân chưa mua thẻ khám chữa bệnh, ốm đau phải tự chi trả"),
    ("bhyt", P, "giá thẻ khám chữa bệnh theo hộ tăng, nhà đông người lo không kham nổi"),
    ("bhyt", D, "vận động người dân tham gia bảo hiểm y tế hộ gia đình"),
    ("bhyt", A, "ty le nguoi dan co the bao hiem y te"),
    ("chay_rung", P, "mùa nắng nóng cắt cử người canh giữ núi, không để lửa bén"),
    ("chay_rung", P, "các nhà được giao trông coi đồi núi hứa không đốt lửa trong mùa khô"),
    ("chay_rung", D, "tuần tra canh gác phòng cháy chữa cháy rừng mùa khô"),
    ("chay_rung", A, "cam dot thuc bi phong chay rung"),
    ("chinh_sach", P, "đến thăm, tặng quà các mẹ có con hy sinh trong chiến tranh"),
    ("chinh_sach", P, "giúp ông cụ từng ra trận bị thương làm giấy tờ hưởng trợ cấp"),
    ("chinh_sach", D, "chăm lo người có công với cách mạng ngày Thương binh Liệt sĩ"),
    ("chinh_sach", A, "tham hoi me viet nam anh hung thuong binh nang"),
    ("chuyen_doi_so", P, "dạy bà con nộp giấy tờ qua mạng, khỏi phải lên ủy ban"),
    ("chuyen_doi_so", P, "trả tiền bằng quét mã trên điện thoại thay cho tiền giấy"),
    ("chuyen_doi_so", D, "hướng dẫn người dân kích hoạt tài khoản định danh điện tử VNeID"),
    ("chuyen_doi_so", A, "dich vu cong truc tuyen thanh toan khong dung tien mat"),
    ("covid", P, "chích mũi nhắc lại ngừa con virus corona cho người lớn"),
    ("covid", P, "mùa dịch corona, nhà phải ở yên không ra ngoài được tiếp tế gạo rau"),
    ("covid", D, "tổ Covid cộng đồng theo dõi người về từ vùng dịch khai báo y tế"),
    ("covid", A, "cach ly tai nha ca f0 covid 19"),
    ("dien_luoi", P, "dây dẫn trùng xuống sát đầu người qua lại, sợ bị giật"),
    ("dien_luoi", P, "buổi tối dòng yếu, quạt chạy ì ạch, máy biến thế quá tải"),
    ("dien_luoi", D, "thay cột điện hạ thế nâng công suất trạm biến áp"),
    ("dien_luoi", A, "cai tao luoi dien nong thon dien ap yeu"),
    ("du_lich", P, "khách tới chơi làng đông mà thiếu chỗ gửi xe, chỗ đi vệ sinh"),
    ("du_lich", P, "gìn giữ nhà xưa, hội làng để thu hút người đến chơi"),
    ("du_lich", D, "phát triển du lịch nông thôn bảo tồn nhà cổ lễ hội truyền thống"),
    ("du_lich", A, "dich vu luu tru homestay don khach tham quan"),
    ("gia_dinh_van_hoa", P, "nhà nào trong xóm được công nhận gương mẫu, sống hòa thuận năm nay"),
    ("gia_dinh_van_hoa", P, "làng có lệ chung về cưới xin, ma chay, ai cũng phải theo"),
    ("gia_dinh_van_hoa", D, "bình xét danh hiệu gia đình văn hóa khu dân cư văn hóa"),
    ("gia_dinh_van_hoa", A, "thuc hien huong uoc quy uoc nep song van minh"),
    ("han_man", P, "mùa khô sông nhiễm lợ, không có nước đưa vào ruộng"),
    ("han_man", P, "nhà nghèo cần téc trữ nước ăn uống khi nước sông bị lợ"),
    ("han_man", D, "vận hành cống ngăn mặn trữ nước ngọt mùa khô"),
    ("han_man", A, "han han thieu nuoc tuoi lua"),
    ("hien_mau", P, "sợ cho máu thì yếu người, cần bác sĩ giải thích"),
    ("hien_mau", P, "ai có thể đi cho máu ngay khi bệnh viện cần gấp"),
    ("hien_mau", D, "vận động đảng viên đoàn viên hiến máu nhân đạo vượt chỉ tiêu"),
    ("hien_mau", A, "ngay hoi hien mau tinh nguyen"),
    ("hoc_sinh", P, "tặng quà động viên các cháu con nhà khó khăn học hành giỏi giang"),
    ("hoc_sinh", P, "trẻ đủ tuổi trong xóm đã được cắp sách tới trường hết chưa"),
    ("hoc_sinh", D, "khen thưởng học sinh giỏi quỹ khuyến học năm học mới"),
    ("hoc_sinh", A, "van dong tre trong do tuoi den truong"),
    ("hoc_tap_bac", P, "người trong Đảng tự hứa một điều tốt để sống như Bác Hồ"),
    ("hoc_tap_bac", P, "tự soi lại mình theo lời dạy siêng năng, tiết kiệm, liêm khiết của Người"),
    ("hoc_tap_bac", D, "đăng ký làm theo tấm gương đạo đức Hồ Chí Minh chuyên đề"),
    ("hoc_tap_bac", A, "chuyen de hoc tap tu tuong ho chi minh"),
    ("kenh_muong", P, "lát gạch lòng con lạch dẫn nước vào ruộng cho chắc chắn"),
    ("kenh_muong", P, "bà con cùng nhau vét bùn, khơi lòng lạch trước vụ cấy"),
    ("kenh_muong", D, "nạo vét kênh mương tu sửa trạm bơm tưới tiêu"),
    ("kenh_muong", A, "thuy loi noi dong nao vet kenh tuoi"),
    ("ket_nap", P, "ít người trẻ ở lại làng nên khó có người mới vào Đảng"),
    ("ket_nap", P, "đảng viên kèm cặp bạn trẻ có triển vọng để sớm đứng vào tổ chức"),
    ("ket_nap", D, "hồ sơ đề nghị kết nạp đảng phát triển đảng viên mới"),
    ("ket_nap", A, "boi duong quan chung uu tu vao dang"),
    ("lu_bao", P, "trận gió lớn làm bay mái nhà, ruộng vườn ngập trắng"),
    ("lu_bao", P, "sợ nước sông lên tràn bờ bao, phải đắp cao thêm"),
    ("lu_bao", D, "phương án sơ tán dân vùng trũng phòng chống thiên tai bốn tại chỗ"),
    ("lu_bao", A, "so tan dan khi co bao lu"),
    ("lua_chuyen_doi", P, "ruộng sâu cấy mãi chẳng lãi, đào ao thả cá"),
    ("lua_chuyen_doi", P, "nông dân muốn thôi cấy để trồng cam, mít nhưng thiếu tiền và chỗ bán"),
    ("lua_chuyen_doi", D, "phương án chuyển đổi cơ cấu cây trồng trên đất lúa kém hiệu quả"),
    ("lua_chuyen_doi", A, "chuyen doi co cau cay trong vung trung"),
    ("ma_tuy", P, "đám trẻ tụ tập đêm khuya, nghi chơi hàng cấm, hít đá"),
    ("ma_tuy", P, "người cai xong trở về cần công ăn việc làm để khỏi sa ngã"),
    ("ma_tuy", D, "lập hồ sơ cai nghiện đối tượng sử dụng trái phép chất ma túy"),
    ("ma_tuy", A, "triet pha tu diem ma tuy tren dia ban"),
    ("mang_xa_hoi", P, "lời đồn sắp lấy đất dân lan khắp nhóm chat, bà con lo lắng"),
    ("mang_xa_hoi", P, "có kẻ bôi nhọ chính quyền trên mạng, cần lên tiếng bác bỏ"),
    ("mang_xa_hoi", D, "đấu tranh phản bác quan điểm sai trái thù địch trên không gian mạng"),
    ("mang_xa_hoi", A, "khong chia se tin gia xau doc tren zalo"),
    ("ngan_sach", P, "nhà nào còn chây ì chưa đóng tiền đất ở cho xã"),
    ("ngan_sach", P, "nhà khó khăn không kham nổi các khoản phải đóng, xin được giảm bớt"),
    ("ngan_sach", D, "đôn đốc thu thuế sử dụng đất phi nông nghiệp đạt dự toán"),
    ("ngan_sach", A, "thu ngan sach dat du toan"),
    ("nguoi_cao_tuoi", P, "làng chúc thọ các ông bà tròn bảy mươi, tám mươi tuổi"),
    ("nguoi_cao_tuoi", P, "các ông bà lớn tuổi được bác sĩ về khám không lấy tiền"),
    ("nguoi_cao_tuoi", D, "chi trả trợ cấp xã hội hằng tháng cho người cao tuổi"),
    ("nguoi_cao_tuoi", A, "cham soc suc khoe nguoi cao tuoi co don"),
    ("nha_tam", P, "mái tranh vách đất sắp đổ, gia đình khó khăn mong được giúp xây lại"),
    ("nha_tam", P, "cuối năm xét lại nhà nào còn diện khó khăn, nhà nào đã khá lên"),
    ("nha_tam", D, "rà soát hộ nghèo cận nghèo hỗ trợ xây nhà đại đoàn kết"),
    ("nha_tam", A, "xoa nha dot nat cho ho can ngheo"),
    ("nong_thon_moi", P, "làng còn vướng mục nào để đạt chuẩn quê văn minh giàu đẹp"),
    ("nong_thon_moi", P, "bà con sửa sang tường rào, lối vào nhà cho làng khang trang đạt chuẩn"),
    ("nong_thon_moi", D, "rà soát tiêu chí nông thôn mới nâng cao còn thiếu"),
    ("nong_thon_moi", A, "tieu chi nong thon moi nang cao"),
    ("nuoc_sach", P, "nước giếng vàng đục, tanh mùi sắt, không dám dùng nấu ăn"),
    ("nuoc_sach", P, "chiều tối vòi nước nhà dân yếu, có lúc không chảy giọt nào"),
    ("nuoc_sach", D, "công trình cấp nước sạch tập trung đấu nối hộ dân"),
    ("nuoc_sach", A, "dau noi nuoc may cho ho dan"),
    ("ocop", P, "hàng quê cần đóng gói đẹp hơn để được chấm thêm sao"),
    ("ocop", P, "nhiều hộ cùng làm chung một món quà quê, gắn thương hiệu của làng"),
    ("ocop", D, "hồ sơ đánh giá phân hạng sản phẩm OCOP hợp tác xã"),
    ("ocop", A, "nang hang sao san pham ocop"),
    ("quy_dang_phi", P, "tiền quỹ chung chi bộ tiêu vào việc gì, có công bố định kỳ không"),
    ("quy_dang_phi", P, "lấy tiền góp hằng tháng để đi thăm đồng chí nằm viện"),
    ("quy_dang_phi", D, "kiểm tra tài chính đảng sổ sách thu nộp đảng phí"),
    ("quy_dang_phi", A, "cong khai thu chi quy chi bo"),
    ("rac_thai", P, "phân chia đồ hữu cơ, đồ tái chế ngay tại nhà trước khi vứt"),
    ("rac_thai", P, "gắn máy quay, phạt nặng kẻ lén đổ bậy ven đường"),
    ("rac_thai", D, "xử lý điểm tập kết rác tự phát phân loại rác tại nguồn"),
    ("rac_thai", A, "tong ve sinh moi truong do rac bua bai"),
    ("sap_nhap", P, "hai xóm cũ về chung một nhà, hội trường sinh hoạt dùng chung ra sao"),
    ("sap_nhap", P, "sổ sách, đồ đạc của làng cũ giao ai giữ sau khi hợp nhất"),
    ("sap_nhap", D, "kiện toàn chi ủy sau sáp nhập thôn bầu trưởng thôn mới"),
    ("sap_nhap", A, "sap xep don vi hanh chinh cap thon"),
    ("sot_xuat_huyet", P, "nhiều nhà có người sốt cao phải nhập viện vì muỗi đốt"),
    ("sot_xuat_huyet", P, "dọn vỏ chai, đồ hộp đọng nước quanh nhà, ngừa bệnh do muỗi"),
    ("sot_xuat_huyet", D, "phun hóa chất diệt muỗi giám sát ca bệnh sốt xuất huyết"),
    ("sot_xuat_huyet", A, "diet lang quang phong sot xuat huyet"),
    ("ta_lon", P, "lái buôn lạ vào gom heo, sợ mầm bệnh lan khắp xóm"),
    ("ta_lon", P, "rải vôi, xịt thuốc quanh chuồng heo để ngăn bệnh dịch"),
    ("ta_lon", D, "tiêu hủy lợn mắc bệnh dịch tả lợn châu Phi khử trùng"),
    ("ta_lon", A, "tieu huy lon benh phun khu trung chuong trai"),
    ("tranh_chap_dat", P, "hàng xóm lấn sang vườn nhà bên, xích mích kéo dài"),
    ("tranh_chap_dat", P, "nhà bị đo sai diện tích, chậm cấp sổ đỏ, đi kêu mãi chưa xong"),
    ("tranh_chap_dat", D, "giải quyết đơn thư khiếu nại tranh chấp ranh giới đất"),
    ("tranh_chap_dat", A, "hoa giai tranh chap ranh gioi dat"),
    ("trong_cay", P, "bò thả rông gặm trụi mấy gốc cây non mới đặt xuống"),
    ("trong_cay", P, "đầu xuân bà con rủ nhau ra đặt cây non quanh làng"),
    ("trong_cay", D, "chăm sóc bảo vệ cây xanh trồng dặm cây chết"),
    ("trong_cay", A, "tet trong cay ty le cay song"),
    ("tuyen_quan", P, "các chàng trai đến tuổi phải khám sức khỏe để vào lính"),
    ("tuyen_quan", P, "có cậu ở xa cố tình không về để khỏi phải đi lính"),
    ("tuyen_quan", D, "khám tuyển nghĩa vụ quân sự thanh niên nhận lệnh nhập ngũ"),
    ("tuyen_quan", A, "giao quan tan binh len duong nhap ngu"),
    ("ve_sinh_attp", P, "rau giá tẩm hóa chất cho mập, ăn vào hại sức khỏe"),
    ("ve_sinh_attp", P, "hàng cơm, căng tin trường học nấu nướng có bẩn không"),
    ("ve_sinh_attp", D, "kiểm tra cơ sở kinh doanh vi phạm vệ sinh an toàn thực phẩm"),
    ("ve_sinh_attp", A, "thuc pham khong ro nguon goc rau sach"),
    ("xay_dung_trai_phep", P, "dựng quán tràn ra vỉa hè lòng đường, bị buộc phải dỡ"),
    ("xay_dung_trai_phep", P, "thấy chở gạch cát ra ruộng thì báo ngay để ngăn cất nhà không phép"),
    ("xay_dung_trai_phep", D, "lập biên bản đình chỉ công trình xây dựng trái phép"),
    ("xay_dung_trai_phep", A, "lan chiem hanh lang giao thong trat tu xay dung"),
    ("bieu_duong_hien_dat", P, "gia đình đảng viên lùi cổng vào trong để mở rộng lối đi chung"),
    ("bieu_duong_hien_dat", P, "đảng viên cắt một phần vườn nhà cho làng làm đường, được tuyên dương"),
    ("bieu_duong_hien_dat", D, "biểu dương gia đình đảng viên tháo dỡ tường rào hiến đất mở rộng đường"),
    ("bieu_duong_hien_dat", A, "bieu duong hien dat mo rong duong ngo xom"),
    ("bieu_duong_lam_kinh_te", P, "đảng viên buôn bán khấm khá, cho nhà khó khăn mượn tiền, cây con"),
    ("bieu_duong_lam_kinh_te", P, "đảng viên mở xưởng thuê người làng làm công, được tuyên dương"),
    ("bieu_duong_lam_kinh_te", D, "biểu dương đảng viên điển hình sản xuất kinh doanh giỏi"),
    ("bieu_duong_lam_kinh_te", A, "dien hinh san xuat kinh doanh gioi tao viec lam"),
    ("cham_bao_cao", P, "thôn nộp số liệu cho xã muộn, kéo lùi thành tích chung"),
    ("cham_bao_cao", P, "cấp ủy thôn nhận lỗi vì văn bản đánh giá nửa năm gửi đi muộn"),
    ("cham_bao_cao", D, "chi ủy tự phê bình chậm gửi báo cáo sơ kết lên Đảng ủy"),
    ("cham_bao_cao", A, "cham nop bao cao tong hop len xa"),
    ("danh_bac", P, "đảng viên ngồi chiếu bạc sát phạt, bị bắt quả tang"),
    ("danh_bac", P, "người nhà đảng viên bán số đề, chi bộ góp ý gay gắt"),
    ("danh_bac", D, "phê bình đảng viên đánh bài ăn tiền bị lập biên bản"),
    ("danh_bac", A, "nguoi nha to chuc choi lo de"),
    ("dang_phi_cham", P, "từ đầu năm đến giờ chưa nộp tiền hằng tháng cho tổ chức Đảng"),
    ("dang_phi_cham", P, "người trong Đảng trễ hạn góp tiền định kỳ, bị nhắc phải nộp đủ"),
    ("dang_phi_cham", D, "đảng viên nợ đảng phí yêu cầu nộp dứt điểm"),
    ("dang_phi_cham", A, "nhac nho cham dong dang phi"),
    ("facebook", P, "đảng viên viết linh tinh lên trang cá nhân, bị yêu cầu xóa"),
    ("facebook", P, "đảng viên chuyển tiếp tin chưa rõ thật giả vào nhóm chat, bị góp ý"),
    ("facebook", D, "phê bình đảng viên chia sẻ thông tin chưa kiểm chứng lên nhóm Zalo"),
    ("facebook", A, "dang tai bai viet khong phu hop tren facebook ca nhan"),
    ("khong_hoan_thanh", P, "đảng viên nhận lỗi vì để việc chi bộ giao dở dang, trễ hẹn"),
    ("khong_hoan_thanh", P, "được cử đi vận động bà con mà đùn đẩy, làm qua loa"),
    ("khong_hoan_thanh", D, "đảng viên tự phê bình chưa hoàn thành nhiệm vụ chi bộ giao"),
    ("khong_hoan_thanh", A, "chua hoan thanh nhiem vu duoc giao cham tien do"),
    ("mat_doan_ket", P, "đảng viên ăn nói hàm hồ, gây chia rẽ anh em trong chi bộ"),
    ("mat_doan_ket", P, "hai đồng chí không nhìn mặt nhau, được yêu cầu tự xem lại mình"),
    ("mat_doan_ket", D, "phê bình đảng viên phát ngôn thiếu chuẩn mực gây mất đoàn kết"),
    ("mat_doan_ket", A, "hai dong chi mat doan ket noi xau nhau tu kiem diem"),
    ("nong_do_con", P, "nhậu xong tự chạy xe về, bị công an bắt thổi phạt"),
    ("nong_do_con", P, "người trong chi bộ có hơi men vẫn lái xe, phải nhận khuyết điểm"),
    ("nong_do_con", D, "đảng viên bị xử phạt vì điều khiển xe máy có nồng độ cồn"),
    ("nong_do_con", A, "uong ruou bia roi lai xe vi pham nong do con"),
    ("sinh_con_thu_ba", P, "đảng viên đẻ thêm đứa thứ ba có bị xử lý không"),
    ("sinh_con_thu_ba", P, "đảng viên vượt kế hoạch hóa gia đình, có ba con, bị xử lý"),
    ("sinh_con_thu_ba", D, "kiểm điểm đảng viên vi phạm chính sách dân số"),
    ("sinh_con_thu_ba", A, "dang vien vi pham chinh sach dan so ky luat khien trach"),
    ("tham_gia_cuu_ho", P, "đảng viên nhảy xuống dòng nước xiết kéo người lên bờ"),
    ("tham_gia_cuu_ho", P, "đảng viên giúp hàng xóm néo mái, khuân đồ lên cao trước cơn gió lớn"),
    ("tham_gia_cuu_ho", D, "khen ngợi đảng viên giúp dân chằng chống nhà cửa khi bão đến"),
    ("tham_gia_cuu_ho", A, "bieu duong dang vien cuu nguoi bi nuoc cuon"),
    ("vang_hop", P, "nghỉ họp mấy tháng không xin phép, bị yêu cầu viết tường trình"),
    ("vang_hop", P, "thành viên chi bộ tự ý bỏ buổi họp tháng, không báo ai"),
    ("vang_hop", D, "đảng viên không dự sinh hoạt chi bộ viết bản kiểm điểm"),
    ("vang_hop", A, "phe binh dang vien vang sinh hoat nhieu thang"),
]


def judgements(topic: str, manifest: list[dict[str, str | None]]) -> dict[str, int]:
    """Grades per minute file, as generate.py derives them."""
    if topic in CONDUCT:
        return {str(m["file"]): 2 for m in manifest if m["conduct"] == topic}
    rel = {str(m["file"]): 2 for m in manifest if m["main"] == topic}
    rel.update({str(m["file"]): 1 for m in manifest if m["mention"] == topic and m["file"] not in rel})
    return rel


def build(out: Path = HERE) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {t for t, _, _ in QUERIES} == set(MAIN) | set(CONDUCT), "every topic needs its queries"
    seen: dict[tuple[str, str], int] = {}
    with (out / "queries-heldout.jsonl").open("w", encoding="utf-8") as fh:
        for topic, kind, text in QUERIES:
            seen[topic, kind] = seen.get((topic, kind), 0) + 1
            suffix = str(seen[topic, kind]) if kind == P else ""
            q: dict[str, object] = {
                "qid": f"{topic}.heldout.{kind}{suffix}",
                "query": unicodedata.normalize("NFC", text),
                "kind": kind,
                "topic": topic,
                "relevant": judgements(topic, manifest),
            }
            if topic in CONDUCT:
                q["section"] = "criticism"
            fh.write(json.dumps(q, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    build()
