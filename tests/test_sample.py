"""The synthetic sample street: reproducible, plausible, fake people, and messy where meant.

The workbooks are opened with openpyxl and inspected cell by cell; nothing here trusts
the generator's own bookkeeping.
"""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import schema
from shequ_kit.catalogue import CATALOGUE
from shequ_kit.sample import generate

ROOT = Path(__file__).resolve().parents[1]
COMMITTED = ROOT / "data" / "sample"
YEARS = (2023, 2024)
# Communities the generator keeps tidy and complete (by its documented styles).
CLEAN = ("天运社区", "望江社区", "丰乐社区", "新塘社区", "安澜社区")
ID_RE = re.compile(r"^\d{17}[\dX]$")


@pytest.fixture(scope="module")
def street(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("street")
    generate(out)  # the defaults: 12 communities, 2023 and 2024, seed 2024
    return out


_BOOKS: dict[Path, openpyxl.Workbook] = {}


def book(street: Path, year: int, name: str) -> openpyxl.Workbook:
    """Each workbook is opened once per test run (loading is the slow part); tests only read."""
    path = street / str(year) / f"{name}.xlsx"
    if path not in _BOOKS:
        _BOOKS[path] = openpyxl.load_workbook(path)
    return _BOOKS[path]


def table(ws) -> list[dict[str, object]]:
    """Rows of a clean sheet (header on row 1) as dicts keyed by header."""
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    return [dict(zip(header, r, strict=False)) for r in rows[1:] if any(v is not None for v in r)]


def kv(ws) -> dict[str, object]:
    return {r[0]: r[1] for r in ws.iter_rows(min_row=2, values_only=True) if r[0]}


def gb11643_ok(pid: str) -> bool:
    # Weights are 2^(17-i) mod 11; the check character maps (sum mod 11) through 10X98765432.
    weights = [pow(2, 17 - i, 11) for i in range(17)]
    s = sum(int(c) * w for c, w in zip(pid[:17], weights, strict=True))
    return "10X98765432"[s % 11] == pid[17]


def all_cells(street: Path):
    for path in sorted(street.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    yield path, ws.title, v


# ---------------------------------------------------------------------------
# Reproducibility
# ---------------------------------------------------------------------------


def test_same_seed_gives_same_bytes_and_another_seed_differs(tmp_path: Path) -> None:
    a = generate(tmp_path / "a", communities=2, years=(2024,), seed=7)
    b = generate(tmp_path / "b", communities=2, years=(2024,), seed=7)
    c = generate(tmp_path / "c", communities=2, years=(2024,), seed=8)
    assert [p.name for p in a] == ["天运社区.xlsx", "望江社区.xlsx"]
    for pa, pb, pc in zip(a, b, c, strict=True):
        assert pa.read_bytes() == pb.read_bytes()
        assert pa.read_bytes() != pc.read_bytes()


def test_committed_sample_is_what_the_defaults_generate(street: Path) -> None:
    generated = sorted(p.relative_to(street) for p in street.rglob("*.xlsx"))
    committed = sorted(p.relative_to(COMMITTED) for p in COMMITTED.rglob("*.xlsx"))
    assert generated == committed, "data/sample 与生成器不一致，请运行 make sample"
    for rel in generated:
        assert (street / rel).read_bytes() == (COMMITTED / rel).read_bytes(), str(rel)
    total = sum((COMMITTED / rel).stat().st_size for rel in committed)
    assert total < 4 * 1024 * 1024  # small enough to live in the repository


def test_layout_is_year_folders_of_community_workbooks(street: Path) -> None:
    assert sorted(p.name for p in street.iterdir()) == ["2023", "2024"]
    for year in YEARS:
        names = sorted(p.stem for p in (street / str(year)).glob("*.xlsx"))
        assert len(names) == 12 and "天运社区" in names


# ---------------------------------------------------------------------------
# A plausible street
# ---------------------------------------------------------------------------


def test_profiles_are_consistent_and_one_street(street: Path) -> None:
    streets, orgs, pops = set(), Counter(), {}
    for name in CLEAN + ("紫荆社区", "明月社区", "桂花社区"):
        p = kv(book(street, 2024, name)["基本情况"])
        pop = p["常住人口"]
        assert 2000 <= pop <= 30000
        # about 2.5-2.9 people per household
        assert pop / 3.0 < p["户数"] < pop / 2.4
        assert p["60周岁以上老年人"] > p["80周岁以上老年人"] > p["90周岁以上老年人"] > 0
        assert 0.02 <= p["党员数"] / pop <= 0.045
        assert p["实有人口"] == p["户籍人口"] + p["流动人口"]
        assert p["统计截止日期"] == datetime(2024, 12, 31)
        assert p["社区工作者数"] >= 6 and p["辖区面积(平方公里)"] > 0
        streets.add(p["所属街道"])
        orgs[p["组织类型"]] += 1
        pops[name] = pop
        if p["组织类型"] == "党支部":
            assert p["下设党支部数"] is None
        else:
            assert p["下设党支部数"] >= 3 and p["党组织数"] == p["下设党支部数"] + 1
    assert len(streets) == 1 and next(iter(streets)).endswith("街道")
    assert set(orgs) == {"党委", "党总支", "党支部"}
    assert max(pops.values()) > 5 * min(pops.values())


def test_volumes_follow_population(street: Path) -> None:
    sizes = {}
    for name in CLEAN:
        wb = book(street, 2024, name)
        pop = kv(wb["基本情况"])["常住人口"]
        sizes[name] = (pop, len(table(wb["活动台账"])), len(table(wb["志愿者名册"])),
                       len(table(wb["残疾人台账"])))
    by_pop = sorted(sizes.values())
    smallest, largest = by_pop[0], by_pop[-1]
    for k in (1, 2, 3):  # activities, volunteers, disabled residents
        assert largest[k] > 2 * smallest[k]
    for pop, acts, vols, dis in by_pop:
        assert 40 <= acts <= 500
        assert 0.015 * pop <= vols <= 0.09 * pop
        assert 0.008 * pop <= dis <= 0.025 * pop


def test_the_year_follows_the_campaign_calendar(street: Path) -> None:
    by_month: dict[str, Counter] = {}
    youth = Counter()
    for name in CLEAN:
        for r in table(book(street, 2024, name)["活动台账"]):
            m = r["日期"].month
            for word in ("春联", "学雷锋", "安全生产月", "端午", "消防宣传月", "宪法"):
                if word in r["活动名称"]:
                    by_month.setdefault(word, Counter())[m] += 1
            if r["条线"] == "未成年人":
                youth[m] += 1
    assert set(by_month["春联"]) <= {1, 2}  # 春节 2024 fell on 10 February
    assert set(by_month["学雷锋"]) == {3}
    assert set(by_month["安全生产月"]) == {6}
    assert set(by_month["端午"]) == {6}  # 端午 2024: 10 June
    assert set(by_month["消防宣传月"]) == {11}
    assert set(by_month["宪法"]) == {12}
    summer = youth[7] + youth[8]
    rest = sum(youth[m] for m in range(1, 13) if m not in (7, 8)) / 10
    assert summer / 2 > 1.5 * rest


def test_activity_names_are_in_the_genre(street: Path) -> None:
    names = {r["活动名称"] for r in table(book(street, 2024, "天运社区")["活动台账"])}
    assert "“我们的节日·端午”包粽子活动" in names or "“粽叶飘香话端午”主题活动" in names
    assert any("消防安全知识讲座" in n for n in names)


def test_safety_sheet_is_mostly_zeros(street: Path) -> None:
    values = []
    for name in CLEAN:
        s = kv(book(street, 2024, name)["平安稳定"])
        assert list(s) == [n for n, _ in schema.SAFETY_ITEMS]
        values += list(s.values())
    assert all(isinstance(v, int) and v >= 0 for v in values)
    assert values.count(0) > len(values) / 2


# ---------------------------------------------------------------------------
# Fake people
# ---------------------------------------------------------------------------


def test_ids_are_valid_in_form_and_belong_to_nobody(street: Path) -> None:
    bad_check = []
    seen = 0
    for path, sheet, v in all_cells(street):
        if isinstance(v, str) and ID_RE.match(v):
            seen += 1
            assert v.startswith("99"), v  # province code 99 does not exist
            born = date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
            assert 1925 <= born.year <= 2020
            if not gb11643_ok(v):
                bad_check.append((path.parent.name, path.stem, sheet))
    assert seen > 5000
    # The only bad check digit is the one planted in 景园社区's 2024 名册.
    assert bad_check == [("2024", "景园社区", "志愿者名册")]


def test_phones_and_certificates(street: Path) -> None:
    wb = book(street, 2024, "天运社区")
    vols = table(wb["志愿者名册"])
    assert all(re.fullmatch(r"1740\d{7}", r["手机号"]) for r in vols)
    for r in table(wb["残疾人台账"]):
        cert = r["残疾人证号"]
        assert cert[:18] == r["身份证号"] and len(cert) == 20
        assert schema.DISABILITY_CERT_CATEGORY[cert[18]] == r["残疾类别"]
        assert schema.DISABILITY_CERT_GRADE[cert[19]] == r["残疾等级"]
    # 失业人员: the ID's 17th digit is odd for 男, even for 女
    for r in table(wb["失业人员台账"]):
        assert r["性别"] == ("男" if int(r["身份证号"][16]) % 2 else "女")


# Words of the genre's prose that a surname and a given name could spell.
STOP = {
    "雷锋", "高峰", "陆军", "汪洋", "黎明", "严明", "余波", "林海", "和平", "建设", "国家",
    "文明", "安全", "平安", "和谐", "服务", "志愿", "宣传", "文体", "党建", "群团", "明月",
    "金华", "黄海", "周到", "方便", "高明", "朱红", "任务", "万元", "严格", "江南",
}


def test_names_are_short_and_never_common_words(street: Path) -> None:
    stop = set(STOP) | {ind.name for ind in CATALOGUE.values()}
    for spec in schema.ENUMS.values():
        stop |= set(spec.values) | set(spec.aliases)
    names = set()
    for name in CLEAN:
        wb = book(street, 2024, name)
        for sheet, col in (("志愿者名册", "姓名"), ("低保台账", "户主姓名"),
                           ("残疾人台账", "姓名"), ("失业人员台账", "姓名")):
            names |= {r[col] for r in table(wb[sheet])}
    assert len(names) > 500
    for n in names:
        assert 2 <= len(n) <= 3 and all("\u4e00" <= ch <= "\u9fff" for ch in n), n
        assert n not in stop, n


# ---------------------------------------------------------------------------
# Continuity across years
# ---------------------------------------------------------------------------


def test_the_same_people_continue_with_exits_and_entries(street: Path) -> None:
    y23, y24 = book(street, 2023, "天运社区"), book(street, 2024, "天运社区")
    v23 = {r["身份证号"] for r in table(y23["志愿者名册"])}
    v24 = {r["身份证号"] for r in table(y24["志愿者名册"])}
    assert len(v23 & v24) > 0.85 * len(v23)  # most stay on the 名册
    assert v23 - v24 and v24 - v23  # some left, some joined

    d23 = table(y23["低保台账"])
    d24 = table(y24["低保台账"])
    still = {r["身份证号"] for r in d23 if r["退出日期"] is None}
    assert still <= {r["身份证号"] for r in d24}  # households covered at the end of 2023 go on
    assert any(r["退出日期"] is not None for r in d24)  # exits in 2024
    assert any(r["纳入日期"].year == 2024 for r in d24)  # new households in 2024
    # the same household keeps its category and size while covered
    shape = {r["身份证号"]: (r["类别"], r["保障人数"]) for r in d23}
    assert all(shape[r["身份证号"]] == (r["类别"], r["保障人数"]) for r in d24 if r["身份证号"] in shape)

    u23 = {r["身份证号"] for r in table(y23["失业人员台账"])}
    u24 = {r["身份证号"] for r in table(y24["失业人员台账"])}
    assert u23 & u24 and u24 - u23


def test_households_and_volunteers_come_back(street: Path) -> None:
    """Re-entries: a 低保 household covered again, a volunteer re-registered, a new spell."""
    dibao_back = volunteer_back = jobless_again = 0
    for name in CLEAN:
        y23, y24 = book(street, 2023, name), book(street, 2024, name)
        rows = table(y24["低保台账"])
        per_id = Counter(r["身份证号"] for r in rows)
        exited_23 = {r["身份证号"] for r in table(y23["低保台账"]) if r["退出日期"] is not None}
        dibao_back += sum(1 for r in rows if r["纳入日期"].year == 2024 and
                          (r["身份证号"] in exited_23 or per_id[r["身份证号"]] > 1))
        vols = table(y24["志愿者名册"])
        volunteer_back += sum(1 for c in Counter(r["身份证号"] for r in vols).values() if c > 1)
        known = {r["身份证号"] for r in table(y23["失业人员台账"]) if r["再就业日期"]}
        jobless_again += sum(1 for r in table(y24["失业人员台账"])
                             if r["登记失业日期"].year == 2024 and r["身份证号"] in known)
        # one spell per row: periods of a household never overlap
        spells: dict[str, list[tuple[datetime, datetime | None]]] = {}
        for r in rows:
            spells.setdefault(r["身份证号"], []).append((r["纳入日期"], r["退出日期"]))
        for periods in spells.values():
            periods.sort()
            for (_, e1), (s2, _) in zip(periods, periods[1:], strict=False):
                assert e1 is not None and e1 < s2
    assert dibao_back >= 1 and jobless_again >= 1
    assert volunteer_back == 0  # a re-registered volunteer's old entry is gone from the 名册


def test_hazards_found_fixed_late_and_open(street: Path) -> None:
    late = open_ = carried = 0
    for name in CLEAN + ("松林社区",):
        wb = book(street, 2024, name)
        ws = wb["安全隐患台账"]
        for r in table(ws):
            found = r["发现日期"]
            if not isinstance(found, datetime):
                continue
            if r["整改日期"] is None and r["整改情况"] != "已整改":
                open_ += 1
            elif isinstance(r["整改日期"], datetime) and r["整改日期"] > r["整改期限"]:
                late += 1
            if found.year == 2023:
                carried += 1
    assert late > 5 and open_ >= 1 and carried >= 1


# ---------------------------------------------------------------------------
# Sheets present, absent and messy
# ---------------------------------------------------------------------------


def test_clean_communities_have_every_sheet_and_header(street: Path) -> None:
    for year in YEARS:
        for name in CLEAN:
            wb = book(street, year, name)
            assert wb.sheetnames == [s.name for s in schema.SHEETS]
            for sheet in schema.SHEETS:
                ws = wb[sheet.name]
                if sheet.key_value:
                    assert [c.value for c in ws[1]] == ["项目", "数值"]
                else:
                    assert [c.value for c in ws[1]] == [c.name for c in sheet.columns]
                    assert ws.max_row > 1


def test_some_ledgers_are_not_kept(street: Path) -> None:
    for year in YEARS:
        assert "信息报送台账" not in book(street, year, "桂花社区").sheetnames
    assert "捐赠台账" not in book(street, 2023, "明月社区").sheetnames
    assert "捐赠台账" in book(street, 2024, "明月社区").sheetnames
    assert "发放资料(份)" not in [c.value for c in book(street, 2024, "紫荆社区")["活动台账"][1]]


def test_title_rows_header_variants_totals_and_blank_rows(street: Path) -> None:
    ws = book(street, 2024, "柳岸社区")["活动台账"]
    assert "A1:K1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A1"].value == "2024年柳岸社区活动台账"
    assert ws["A2"].value.startswith("填报单位")
    header = [c.value for c in ws[3]]
    assert "参与\n人次" in header and "发放资料（份）" in header and "序 号" in header
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    total = [r for r in rows if r[0] == "合计"]
    assert len(total) == 1 and rows[-1] == total[0]
    j = header.index("参与\n人次")
    data = [r for r in rows if isinstance(r[0], int) and r[1] is not None]
    assert total[0][j] == sum(r[j] for r in data)  # the literal sum of the data rows
    assert any(isinstance(r[0], int) and all(v is None for v in r[1:]) for r in rows)  # 预编号空行
    assert any(all(v is None for v in r) for r in rows)  # blank lines
    assert {r[header.index("面向\n居民")] for r in data} <= {"√", "×"}


def test_text_dates_text_numbers_and_enum_variants(street: Path) -> None:
    wb = book(street, 2024, "松林社区")
    acts = list(wb["活动台账"].iter_rows(min_row=2, values_only=True))
    dates = [r[1] for r in acts if isinstance(r[1], str)]
    forms = {
        "iso": r"^\d{4}-\d{2}-\d{2}$", "slash": r"^\d{4}/\d{1,2}/\d{1,2}$",
        "dot": r"^\d{4}\.\d{1,2}\.\d{1,2}$", "cn": r"^\d{4}年\d{1,2}月\d{1,2}日$",
        "compact": r"^\d{8}$",
    }
    for form, pattern in forms.items():
        assert any(re.match(pattern, d) for d in dates), form
    cells = [v for ws in wb.worksheets for r in ws.iter_rows(values_only=True) for v in r
             if isinstance(v, str)]
    assert any(re.fullmatch(r"\d+人", v) for v in cells)
    assert any(re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d)?元", v) for v in cells)
    assert any(re.search(r"[０-９]", v) for v in cells)
    for variant in ("肢体残疾", "电动车", "达成协议"):
        assert variant in cells, variant
    assert any(v in ("A类", "B类", "C类") for v in cells)
    assert {r[8] for r in acts} <= {"Y", "N"}


def test_merged_dates_aliases_and_numeric_codes(street: Path) -> None:
    wb = book(street, 2024, "翠苑社区")
    assert "活动 台账" in wb.sheetnames and "志愿者花名册" in wb.sheetnames
    ws = wb["活动 台账"]
    header = [c.value for c in ws[3]]
    assert "参与人数" in header and "活动日期" in header
    col = get_letter(header.index("活动日期"))
    merged = [r for r in ws.merged_cells.ranges if str(r).startswith(col) and r.min_row > 3]
    assert len(merged) >= 3 and all(r.max_row > r.min_row for r in merged)
    vols = list(wb["志愿者花名册"].iter_rows(min_row=4, values_only=True))
    assert all(isinstance(r[1], int) for r in vols)  # 编号 typed as numbers
    assert {r[7] for r in vols} <= {0, 1}
    profile = {r[0]: r[1] for r in wb["基本 情况"].iter_rows(values_only=True)}
    assert re.fullmatch(r"\d+万平方米", profile["辖区面积"])


def get_letter(index0: int) -> str:
    return openpyxl.utils.get_column_letter(index0 + 1)


def test_yes_no_written_as_you_wu(street: Path) -> None:
    ws = book(street, 2024, "景园社区")["志愿者名册"]
    header = [re.sub(r"\s", "", c.value or "") for c in ws[3]]
    j = header.index("是否党员")
    assert {r[j] for r in ws.iter_rows(min_row=4, values_only=True) if r[2]} == {"有", "无"}


# ---------------------------------------------------------------------------
# The bad rows an analyst should be told about
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def street_with_errors(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("street_errors")
    generate(out, communities=12, years=(2023, 2024), errors=True)
    return out


def test_the_default_sample_holds_none_of_the_planted_errors(street: Path) -> None:
    # The bundled sample passes its own validate: the bad rows come only with errors=True.
    acts = book(street, 2024, "柳岸社区")["活动台账"]
    assert not any(r[1] == "2024-13-45" for r in acts.iter_rows(values_only=True))
    disputes = book(street, 2024, "松林社区")["矛盾纠纷台账"]
    assert not any(r[2] == "噪音扰民" for r in disputes.iter_rows(values_only=True))
    disabled = book(street, 2024, "翠苑社区")["残疾人名册"]
    ids = Counter(r[2] for r in disabled.iter_rows(min_row=4, values_only=True) if r[2])
    assert all(n == 1 for n in ids.values())


def test_planted_bad_rows_are_there(street_with_errors: Path) -> None:
    street = street_with_errors
    acts = book(street, 2024, "柳岸社区")["活动台账"]
    assert sum(1 for r in acts.iter_rows(values_only=True) if r[1] == "2024-13-45") == 1
    disputes = book(street, 2024, "松林社区")["矛盾纠纷台账"]
    assert sum(1 for r in disputes.iter_rows(values_only=True) if r[2] == "噪音扰民") == 1
    disabled = book(street, 2024, "翠苑社区")["残疾人名册"]
    ids = Counter(r[2] for r in disabled.iter_rows(min_row=4, values_only=True) if r[2])
    assert [n for n in ids.values() if n > 1] == [2]
    # the earlier year is free of planted errors
    acts23 = book(street, 2023, "柳岸社区")["活动台账"]
    assert not any(isinstance(r[1], str) and "-13-" in r[1] for r in acts23.iter_rows(values_only=True))
