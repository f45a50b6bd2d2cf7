"""A synthetic corpus of Vietnamese news articles on digital transformation, for benchmarks and tests.

Every article is built from sentence shapes taken from the seed articles in ``data/raw`` (meeting
leads, report figures, photo captions, quotes), with the numbers, provinces, bodies, dates and people
varied, and wrapped in the page chrome real pages carry (date lines, "Lượt xem" counters, menus,
footers with licence numbers and phone numbers). Article ``i`` of seed ``s`` depends only on
``(s, i)``: ``generate(1000, out)`` writes the first 1,000 files of ``generate(10000, out)``, so a
bigger corpus is a smaller one plus new articles (the incremental benchmark relies on that).

    dxdata synth --n 10000 --out /tmp/corpus          # or: python -m dxdata.tools.synth --n 10000 --out ...
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from pathlib import Path

# --------------------------------------------------------------------------------------------- vocabulary

_FALLBACK_PROVINCES = [
    ("tỉnh", "Kon Tum"),
    ("tỉnh", "Sóc Trăng"),
    ("thành phố", "Đà Nẵng"),
    ("thành phố", "Hà Nội"),
    ("tỉnh", "Lai Châu"),
    ("tỉnh", "Bình Dương"),
    ("tỉnh", "Nam Định"),
    ("tỉnh", "Bình Phước"),
    ("thành phố", "Hải Phòng"),
    ("tỉnh", "Quảng Ninh"),
    ("tỉnh", "Thừa Thiên Huế"),
    ("tỉnh", "Lào Cai"),
]

_PEOPLE = [
    "Nguyễn Văn Hùng",
    "Trần Thị Thu Hà",
    "Lê Minh Tuấn",
    "Phạm Quốc Bảo",
    "Hoàng Thị Lan",
    "Vũ Đức Thắng",
    "Đặng Văn Nam",
    "Bùi Thị Hồng Nhung",
    "Ngô Thị Kim Yến",
    "Trần Văn Lâu",
    "Mai Thị Hồng Sim",
    "Đỗ Quang Vinh",
    "Huỳnh Tấn Phát",
    "Lý Thanh Sơn",
    "Phan Thị Mỹ Linh",
    "Dương Văn Khánh",
]
_REPORTERS = ["TẤN PHÁT", "HOÀNG HIỆP", "Nguyễn Hiệp", "PV", "THU HÀ", "MINH TUẤN", "LƯU ĐỨC", "Q.B"]
_NATIONAL_BODIES = [
    "Bộ Thông tin và Truyền thông",
    "Bộ Công an",
    "Văn phòng Chính phủ",
    "Bộ Tài chính",
    "Ngân hàng Nhà nước",
    "Bộ Kế hoạch và Đầu tư",
    "Bộ Khoa học và Công nghệ",
]
_NATIONAL_LEADS = [
    "Thủ tướng Chính phủ Phạm Minh Chính - Chủ tịch Ủy ban Quốc gia về chuyển đổi số",
    "Phó Thủ tướng Chính phủ Trần Lưu Quang",
    "Bộ trưởng Bộ Thông tin và Truyền thông Nguyễn Mạnh Hùng",
    "Thứ trưởng Bộ Thông tin và Truyền thông Nguyễn Huy Dũng",
]
_EVENTS = [
    "Phiên họp lần thứ {k} của Ủy ban Quốc gia về chuyển đổi số",
    "Hội nghị trực tuyến toàn quốc sơ kết {months} tháng đầu năm {year} về chuyển đổi số quốc gia và Đề án 06",
    "Hội nghị tổng kết công tác chuyển đổi số năm {prev_year}, triển khai nhiệm vụ năm {year}",
    "hội nghị triển khai Kế hoạch chuyển đổi số năm {year} của {prov}",
    "phiên họp Ban Chỉ đạo chuyển đổi số {prov}",
]
_TITLES = [
    "{prov_cap}: đẩy mạnh chuyển đổi số, phát triển chính quyền số năm {year}",
    "Phiên họp lần thứ {k} của Ủy ban Quốc gia về chuyển đổi số",
    "Hội nghị trực tuyến sơ kết {months} tháng đầu năm {year} về chuyển đổi số quốc gia và Đề án 06 của Chính phủ",
    "Tăng cường nhận thức về vai trò, vị trí và tầm quan trọng của chuyển đổi số",
    "Phải hành động, quyết liệt chuyển đổi số, xây dựng mô hình chuyển đổi số điển hình tại {prov_name}",
    "{prov_cap} tổng kết công tác chuyển đổi số năm {prev_year}",
    "Gỡ điểm nghẽn để phát triển chính phủ số, kinh tế số và xã hội số",
]

# Figures: the shapes of the fact sentences of the seeds. Placeholders are filled by `_fill`.
_FACTS = [
    "Đến nay, có {n14} bộ, ngành và {n52} địa phương đã ban hành danh mục cơ sở dữ liệu theo quy định; "
    "tổng số cơ sở dữ liệu thuộc các ngành, lĩnh vực khác nhau hiện nay là {n2398} cơ sở dữ liệu.",
    "Đồng thời, có {pct} hộ gia đình sử dụng cáp quang Internet băng rộng; {pct_hi} xã kết nối Internet cáp "
    "quang; di động băng rộng 4G được phủ sóng tới {pct_hi} dân số với chất lượng ổn định.",
    "Bên cạnh đó, có {pct} thủ tục hành chính đủ điều kiện toàn trình được cung cấp trực tuyến; cổng dịch vụ "
    "công quốc gia có {mil} triệu tài khoản người dùng, trên {n4500} dịch vụ công trực tuyến được tích hợp.",
    "Tỷ trọng kinh tế số/GDP năm {year} ước đạt {pct_lo} với tốc độ tăng {pct_lo}, gấp {x} lần tăng trưởng GDP.",
    "Ngoài ra, trong {months} tháng năm {year}, Bộ Công an đã cấp trên {mil} triệu thẻ căn cước công dân gắn "
    "chíp; tiếp nhận trên {mil} triệu hồ sơ định danh điện tử, kích hoạt trên {mil} triệu tài khoản định "
    "danh điện tử cho người dân.",
    "Hiện nay, tổng số hệ thống thông tin của cả nước là {n3418} hệ thống, trong đó số hệ thống thông tin "
    "được phê duyệt cấp độ an toàn là {n2365} hệ thống.",
    "Cụ thể, theo báo cáo khảo sát xếp hạng mức độ phát triển Chính phủ điện tử năm {year} của Liên Hợp Quốc, "
    "Việt Nam đứng thứ {rank}/193 quốc gia, tăng {k} bậc so với năm {prev2_year}.",
    "Đến tháng {month}/{year}, kênh đã đạt {n140000} người quan tâm, mỗi bài đăng trung bình có hơn "
    "{n10000} lượt tương tác.",
    "Đến nay, các đơn vị đã rà soát, sửa đổi, đơn giản hóa được {frac} TTHC (đạt {pct_lo}).",
    "Có {n15} bộ, cơ quan và {n62}/63 địa phương đã hoàn thành triển khai hệ thống thông tin giải quyết TTHC "
    "cấp bộ, cấp tỉnh (đạt {pct_hi}).",
    "Ngoài ra, Cổng dịch vụ công quốc gia đã cung cấp {n4500} dịch vụ công trực tuyến.",
    "Qua đó hàng năm tiết kiệm cho Nhà nước {n2505} tỷ đồng.",
    "Năm {year}, {prov} có {pct} hồ sơ thủ tục hành chính được tiếp nhận và xử lý trực tuyến, tăng "
    "{pct_lo} so với năm {prev_year}.",
    "Chỉ số chuyển đổi số (DTI) của {prov} năm {prev_year} đạt {score} điểm, xếp thứ {rank63}/63 tỉnh, thành phố.",
    "Theo báo cáo, chi phí tiết kiệm được khi thực hiện dịch vụ công trực tuyến trên cổng dịch vụ công "
    "quốc gia là hơn {n8100} tỉ đồng/năm.",
    "Trên {pct_hi} văn bản điện tử được trao đổi giữa các cơ quan nhà nước; trên {mil} triệu văn bản điện "
    "tử được gửi, nhận qua trục liên thông văn bản quốc gia.",
    "Số lượng văn bản điện tử gửi, nhận trong năm {year} gấp {x} lần so với năm {prev_year}.",
    "Đến nay, trên {pct_lo} các bộ, ngành, địa phương đã xây dựng và bắt đầu triển khai các chương trình, "
    "đề án, kế hoạch về chuyển đổi số.",
    "Kế hoạch hoạt động của Ủy ban Quốc gia về chuyển đổi số trong năm {year} đặt ra {n32} chỉ tiêu quan "
    "trọng quốc gia, tương ứng với đó là {n32} nhóm nhiệm vụ cho các bộ, ngành, địa phương.",
    "Nền tảng tích hợp, chia sẻ dữ liệu quốc gia đã kết nối với trên {n200} hệ thống thông tin của "
    "{n90} cơ quan, đơn vị để kết nối, chia sẻ dữ liệu quy mô quốc gia.",
    "Trên địa bàn {prov} hiện có {n2398} doanh nghiệp công nghệ số, doanh thu lĩnh vực công nghệ thông tin "
    "đạt {n8100} tỷ đồng.",
    "Tỷ lệ người dân trưởng thành có điện thoại thông minh tại {prov} đạt {pct}, tỷ lệ hộ gia đình có "
    "cáp quang băng rộng đạt {pct}.",
    "{prov_cap} đã có {n140000} tài khoản định danh điện tử mức độ 2 được kích hoạt, đạt {pct} kế hoạch.",
    "Đến hết tháng {month}/{year}, tỷ lệ thanh toán trực tuyến trên Cổng dịch vụ công của {prov} đạt {pct_lo}.",
]

# Sentences without figures, from the seeds: the bulk of every article.
_PROSE = [
    "Thủ tướng lưu ý, chuyển đổi số là xu thế, đã và đang được đẩy mạnh trên phạm vi toàn cầu.",
    "Việt Nam không nằm ngoài xu thế này, nếu không chuyển đổi số nhanh, chuyển đổi số mạnh, chuyển đổi số "
    "toàn diện, hiệu quả thì sẽ bị tụt hậu.",
    "Chuyển đổi số cần sự quyết tâm, quyết liệt, đổi mới sáng tạo trong lãnh đạo, chỉ đạo, điều hành; cần "
    "có hệ thống hành lang pháp lý hoàn chỉnh, thuận lợi.",
    "Nhận thức, hiểu biết, kỹ năng số của đa số người dân còn hạn chế; tội phạm công nghệ cao ngày càng "
    "tinh vi và có xu hướng gia tăng.",
    "Các bộ, ngành, địa phương phải đổi mới cách làm gắn với trách nhiệm của người đứng đầu các tổ chức, "
    "cơ quan, địa phương, ban chỉ đạo chuyển đổi số các cấp.",
    "Phát triển chính phủ số là động lực chính, then chốt, dẫn dắt việc xây dựng nền kinh tế số, công dân "
    "số, xã hội số.",
    "Chúng ta cũng phải nâng cao nhận thức về cơ sở dữ liệu dân cư quốc gia, đây là một tài nguyên quý của quốc gia.",
    "Tinh thần là phải tiến công, nêu cao vai trò trách nhiệm của người đứng đầu.",
    "Bộ Thông tin và Truyền thông tiếp tục đẩy mạnh, phối hợp Bộ Công an thực hiện các giải pháp đảm bảo "
    "an toàn thông tin mạng.",
    "Tại phiên họp, các bộ, ngành Trung ương, một số tỉnh, thành phố trực thuộc Trung ương đã có các ý kiến "
    "thảo luận về giải pháp đẩy mạnh ứng dụng thương mại điện tử tiêu thụ nông sản.",
    "Đồng thời cần đẩy mạnh hoàn thiện thể chế về chuyển đổi số, đẩy mạnh phát triển hạ tầng số; đổi mới, "
    "sáng tạo trong chuyển đổi số.",
    "Các thành viên Ban Chỉ đạo về Chính quyền điện tử tỉnh đã tích cực chỉ đạo và triển khai các chương "
    "trình, dự án ứng dụng công nghệ thông tin tại cơ quan, đơn vị.",
    "Nhận thức về vai trò và tầm quan trọng của chuyển đổi số trong cán bộ, công chức được nâng cao rõ rệt.",
    "Cổng Dịch vụ công và Hệ thống một cửa điện tử tỉnh được tiếp tục triển khai đồng bộ, liên thông, "
    "thống nhất trong các cơ quan nhà nước của tỉnh.",
    "Hệ thống hội nghị truyền hình trực tuyến được khai thác, sử dụng hiệu quả, phục vụ tốt các cuộc họp của tỉnh.",
    "Việc chuyển đổi số có tác động ảnh hưởng đến mọi người dân, vì vậy phải lấy người dân làm trung tâm.",
    "Cơ sở dữ liệu quốc gia phải được sử dụng hiệu quả chứ không phải mỗi bộ, mỗi cơ quan cứ ôm giữ, không chia sẻ.",
    "Các dịch vụ công trực tuyến mức độ cao được chú trọng phát triển để phục vụ tốt hơn người dân và doanh nghiệp.",
    "Qua tổng hợp theo dõi, nhiều địa phương có các giải pháp nâng cao chất lượng dịch vụ công trực tuyến "
    "và đã được thực hiện tốt.",
    "Phát huy tinh thần đổi mới, sáng tạo, dám nghĩ, dám làm; huy động nguồn lực, sự tham gia của người "
    "dân, cộng đồng doanh nghiệp.",
    "Xây dựng cơ chế kiểm tra, giám sát quá trình thực hiện.",
    "Bên cạnh những thành tựu rất cơ bản, thể chế, cơ chế, chính sách còn nhiều khoảng trống; an toàn, an "
    "ninh mạng chưa đáp ứng yêu cầu đặt ra.",
]
_QUOTES = [
    "“Chuyển đổi số là xu thế, phong trào của cả thế giới, nên mình phải hành động để tận dụng cơ hội”, "
    "{role} nhấn mạnh.",
    "“An toàn, an ninh mạng, bảo vệ chủ quyền quốc gia trên không gian số là điều kiện tiên quyết!” - {role} nêu rõ.",
    "“Nơi nào người đứng đầu quyết liệt chuyển đổi số thì nơi đó có chuyển biến tích cực”, {role} nói.",
]
_DIRECTIVES = [
    "Phát biểu kết luận, {role} đề nghị các sở, ban, ngành tập trung hoàn thiện thể chế, đẩy mạnh cung cấp "
    "dịch vụ công trực tuyến chất lượng, hiệu quả phục vụ người dân, doanh nghiệp.",
    "{role} yêu cầu các cơ quan, đơn vị ưu tiên nguồn lực, đẩy nhanh tiến độ thực hiện các nhiệm vụ, giải "
    "pháp về chuyển đổi số đã đề ra trong kế hoạch năm {year}.",
    "Theo đó, {body} sẽ chủ trì, phối hợp với các bộ, ngành, địa phương để tạo ra sự thay đổi căn bản trong "
    "tạo lập, khai thác dữ liệu số.",
]
_CAPTIONS = [
    "Quang cảnh hội nghị tại điểm cầu {prov}. Ảnh: {reporter}",
    "{role} phát biểu kết luận hội nghị. Ảnh: VGP",
    "Các đại biểu tham dự phiên họp tại điểm cầu {prov_name}. Ảnh: {reporter}",
]
_WEEKDAYS = ["Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


@dataclass(frozen=True)
class _Province:
    unit: str  # "tỉnh" or "thành phố"
    name: str

    @property
    def full(self) -> str:
        return f"{self.unit} {self.name}"

    @property
    def cap(self) -> str:
        return self.full[0].upper() + self.full[1:]


def _provinces() -> list[_Province]:
    """The 63 pre-2025 provinces from the packaged gazetteer (a short list if it is missing)."""
    try:
        ref = resources.files("dxdata").joinpath("data/gazetteer.csv")
        with ref.open("r", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r.get("level") == "province"]
        out = [_Province("thành phố" if r["unit_type"] == "thành phố" else "tỉnh", r["name"]) for r in rows]
        if out:
            return out
    except (FileNotFoundError, KeyError, OSError):
        pass
    return [_Province(u, n) for u, n in _FALLBACK_PROVINCES]


# --------------------------------------------------------------------------------------------- numbers


def _vn_int(n: int) -> str:
    """12345 -> '12.345' (Vietnamese thousands separator)."""
    return f"{n:,}".replace(",", ".")


def _vn_dec(x: float, places: int) -> str:
    """80.44 -> '80,44'; whole values are written without decimals."""
    s = f"{x:.{places}f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return s.replace(".", ",")


def _fill(template: str, rng: random.Random, ctx: dict[str, str]) -> str:
    """Fill the placeholders of one template; every occurrence gets a fresh value."""
    gens = {
        "pct": lambda: _vn_dec(rng.uniform(30, 99.5), rng.choice((0, 1, 2))) + "%",
        "pct_hi": lambda: _vn_dec(rng.uniform(90, 100), rng.choice((0, 1))) + "%",
        "pct_lo": lambda: _vn_dec(rng.uniform(5, 60), rng.choice((0, 1))) + "%",
        "mil": lambda: _vn_dec(rng.uniform(1, 90), rng.choice((1, 2))),
        "x": lambda: _vn_dec(rng.uniform(1.5, 4), 1),
        "score": lambda: _vn_dec(rng.uniform(0.3, 0.75), 4),
        "rank": lambda: str(rng.randint(60, 100)),
        "rank63": lambda: str(rng.randint(1, 63)),
        "k": lambda: str(rng.randint(2, 9)),
        "frac": lambda: (lambda b: f"{_vn_int(rng.randint(b // 5, b // 2))}/{_vn_int(b)}")(rng.randint(600, 1500)),
        "month": lambda: str(rng.randint(1, 12)),
        "months": lambda: rng.choice(("3", "4", "6", "9")),
    }
    for name, (lo, hi) in {
        "n14": (5, 22),
        "n52": (20, 63),
        "n2398": (500, 5000),
        "n4500": (2000, 6000),
        "n3418": (1500, 5000),
        "n2365": (800, 3000),
        "n140000": (20_000, 900_000),
        "n10000": (1_000, 20_000),
        "n15": (5, 22),
        "n62": (40, 63),
        "n2505": (500, 9000),
        "n8100": (1000, 12000),
        "n32": (20, 60),
        "n200": (100, 900),
        "n90": (30, 120),
    }.items():
        gens[name] = lambda lo=lo, hi=hi: _vn_int(rng.randint(lo, hi))
    out = []
    rest = template
    while "{" in rest:
        head, _, tail = rest.partition("{")
        key, _, rest = tail.partition("}")
        out.append(head)
        out.append(ctx[key] if key in ctx else gens[key]())
    out.append(rest)
    return "".join(out)


# --------------------------------------------------------------------------------------------- articles


def article_text(seed: int, i: int, provinces: list[_Province] | None = None) -> str:
    """The text of article `i` of corpus `seed` (deterministic)."""
    rng = random.Random(f"dxdata-synth:{seed}:{i}")
    provs = provinces or _provinces()
    prov = rng.choice(provs)
    published = date(2020, 1, 1) + timedelta(days=rng.randint(0, 365 * 5))
    event = published - timedelta(days=rng.randint(0, 3))
    year = event.year
    ctx = {
        "prov": prov.full,
        "prov_cap": prov.cap,
        "prov_name": prov.name,
        "year": str(year),
        "prev_year": str(year - 1),
        "prev2_year": str(year - 2),
        "role": rng.choice(_NATIONAL_LEADS + [f"Chủ tịch UBND {prov.full} {rng.choice(_PEOPLE)}"]),
        "body": rng.choice(_NATIONAL_BODIES),
        "reporter": rng.choice(_REPORTERS),
    }
    lines: list[str] = []
    # page chrome before the article
    style = rng.randrange(4)
    if style == 0:
        lines += [
            f"Thứ {published.isoweekday() + 1 if published.isoweekday() < 7 else 'CN'}, Ngày {published:%d/%m/%Y} -",
            "",
        ]
    elif style == 1:
        lines += ["Tìm kiếm"]
    elif style == 2:
        lines += ["• Chuyển đổi số", ""]
    title = _fill(rng.choice(_TITLES), rng, ctx)
    lines.append(title)
    hh, mm = rng.randint(6, 22), rng.randint(0, 59)
    if style == 0:
        lines += [
            f"Ngày đăng: {published:%d/%m/%Y}  {hh:02d}:{mm:02d}",
            "Mặc định Cỡ chữ",
            f"Người đăng: Admin {rng.choice(['STTTT', 'VPUB', 'BBT'])}",
            "",
        ]
    elif style == 1:
        lines += [
            f"Người đăng tin: {rng.choice(_PEOPLE)} Ngày đăng tin: {published:%d/%m/%Y} "
            f"Lượt xem: {rng.randint(3, 5000)}",
            "",
        ]
    elif style == 2:
        lines += [
            "",
            f"{published:%d/%m/%Y} {hh:02d}:{mm:02d} GMT +7",
            f"  • Nguồn: Báo {prov.name}",
            f"  • {_WEEKDAYS[published.weekday()]}, {published:%d/%m/%Y} | {hh:02d}:{mm:02d}",
            "Giọng Nữ miền Nam",
            "",
        ]
    # lead
    part = rng.choice(("Sáng", "Chiều", "Ngày"))
    event_name = _fill(rng.choice(_EVENTS), rng, ctx)
    venue = rng.choice(("tại trụ sở Chính phủ", f"tại trụ sở UBND {prov.full}", "theo hình thức trực tuyến"))
    lead = (
        f"{part} {event.day}/{event.month}, {venue}, {ctx['role']} chủ trì {event_name}. "
        f"Tại điểm cầu {prov.full}, dự có đồng chí {rng.choice(_PEOPLE)} - Phó Chủ tịch UBND "
        f"{prov.unit}; lãnh đạo các sở, ban, ngành."
    )
    if style == 2:
        lead = f"{''.join(w[0] for w in prov.name.split()).upper()}O - {lead}"
    lines += [lead, ""]
    # body: paragraphs of prose and figures, captions and quotes between them
    for _ in range(rng.randint(4, 20)):
        kind = rng.random()
        if kind < 0.12:
            lines += [_fill(rng.choice(_CAPTIONS), rng, ctx), ""]
            continue
        if kind < 0.2:
            lines += [_fill(rng.choice(_QUOTES + _DIRECTIVES), rng, ctx), ""]
            continue
        sentences = []
        for _ in range(rng.randint(1, 5)):
            pool = _FACTS if rng.random() < 0.45 else _PROSE
            sentences.append(_fill(rng.choice(pool), rng, ctx))
        lines += [" ".join(sentences), ""]
    lines.append(ctx["reporter"])
    # page chrome after the article
    footer = rng.randrange(4)
    if footer == 0:
        lines += [
            "",
            "Bình Luận",
            "",
            "Ý kiến bạn đọc",
            "Tin cùng chuyên mục",
            ">> Xem thêm",
            "",
            f"Báo {prov.name} Online",
            f"Cơ quan chủ quản: Tỉnh ủy {prov.name}",
            f"Tổng Biên tập: {rng.choice(_PEOPLE)}",
            f"Giấy phép xuất bản số: {rng.randint(100, 999)}/GP-BTTTT do Bộ Thông tin và Truyền thông "
            f"cấp ngày {rng.randint(1, 28):02d}-{rng.randint(1, 12):02d}-{rng.randint(2015, 2022)}",
            f"Điện thoại: 0{rng.randint(200, 299)} 3 {rng.randint(100000, 999999)} - Fax: "
            f"0{rng.randint(200, 299)} 3 {rng.randint(100000, 999999)}",
            f"Tổng số lượt truy cập: {_vn_int(rng.randint(10_000, 90_000_000))}",
        ]
    elif footer == 1:
        lines += [
            "",
            "TRỤ SỞ:",
            f"     Số {rng.randint(1, 300)}, đường Trần Phú, {prov.full}",
            f"    0{rng.randint(200, 299)} {rng.randint(3000000, 3999999)}",
            f"Giấy phép: Số {rng.randint(1, 99):02d}/GP-STTTT do Sở Thông tin và Truyền thông "
            f"{prov.name} cấp ngày {rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2015, 2022)}",
            "Đăng nhập",
        ]
    elif footer == 2:
        lines += [f"{rng.randint(1, 9)} {','.join(str(p) for p in range(3, 12))},...15", "Powered by FlippingBook"]
    return "\n".join(lines) + "\n"


def file_name(i: int, text: str) -> str:
    return f"{i:06d}_{hashlib.sha256(text.encode('utf-8')).hexdigest()[:16]}.txt"


def generate(n: int, out: Path, seed: int = 0, *, start: int = 0) -> list[Path]:
    """Write articles `start`..`start+n-1` of corpus `seed` into `out` (created); return their paths.

    Files already there with the right name are left alone, so growing a corpus writes only the new files.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    provs = _provinces()
    paths = []
    for i in range(start, start + n):
        text = article_text(seed, i, provs)
        path = out / file_name(i, text)
        if not path.exists():
            tmp = path.with_name(f".{path.name}.tmp")
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        paths.append(path)
    return paths


# --------------------------------------------------------------------------------------------- CLI


def _cmd_synth(args: argparse.Namespace) -> int:
    paths = generate(args.n, Path(args.out), seed=args.seed, start=args.start)
    size = sum(p.stat().st_size for p in paths)
    print(f"{len(paths)} articles in {args.out} ({size / 1e6:.1f} MB, seed {args.seed})")
    return 0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("synth", help="write a synthetic corpus of Vietnamese articles (benchmarks, tests)")
    p.add_argument("--n", type=int, required=True, help="number of articles")
    p.add_argument("--out", required=True, help="folder to write them into (created)")
    p.add_argument("--seed", type=int, default=0, help="corpus seed: same seed, same articles")
    p.add_argument("--start", type=int, default=0, help="index of the first article (to grow a corpus)")
    p.set_defaults(func=_cmd_synth)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dxdata.tools.synth")
    add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["synth", *(argv if argv is not None else __import__("sys").argv[1:])])
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
