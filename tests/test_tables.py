"""The terminal indicator table: genre figures, 无数据, 条件 labels, CJK alignment.

Rows are built by hand in the JSON form of indicators.md; every expected text below is
worked out from the genre's rules (one decimal half-up for rates, 万元 from 10000元,
thousands separators in tables), not taken from the code's output.
"""

from __future__ import annotations

import unicodedata

from shequ_kit.model import Problem
from shequ_kit.tables import display_width, indicator_table_text, pad, problems_table_text

PERIOD = ["2024-01-01", "2024-12-31"]


def _width(text: str) -> int:
    """Reference width, written independently: wide and full-width forms take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def row(id: str, name: str, unit: str, value, previous=None, community="天运社区", **extra):
    r = {"community": community, "year": 2024, "period": PERIOD, "id": id, "name": name,
         "unit": unit, "value": value, "numerator": extra.pop("numerator", None),
         "denominator": extra.pop("denominator", None), "previous": previous}
    r.update(extra)
    return r


def _line(text: str, startswith: str) -> str:
    hits = [ln for ln in text.splitlines() if ln.startswith(startswith)]
    assert len(hits) == 1, (startswith, text)
    return hits[0]


def _end_col(line: str, cell: str) -> int:
    """Terminal column just after ``cell`` in ``line``."""
    i = line.index(cell)
    return _width(line[: i + len(cell)])


def _start_col(line: str, cell: str) -> int:
    return _width(line[: line.index(cell)])


SAMPLE_ROWS = [
    row("employment.reemployment_rate", "登记失业人员再就业率", "%", 0.635, 0.58,
        numerator=61, denominator=96, target="达到50%以上", status="完成", gap=None,
        gap_text=None),
    row("activity.count", "开展活动", "场次", 9, 12, condition={"条线": "普法"},
        target="每月至少一次", status="未完成", gap=3, gap_text="尚有 3 个月未开展"),
    row("donation.amount", "募集捐款", "元", 13400, None),
    row("activity.participants", "参与居民", "人次", 1234, 1000),
    row("hazard.rectified_rate", "隐患整改率", "%", None, None, numerator=0, denominator=0),
    row("activity.avg_participants", "场均参与", "人次", 30.0, 24.0, numerator=300,
        denominator=10),
]


def test_display_width_counts_cjk_twice():
    assert display_width("abc") == 3
    assert display_width("中文") == 4
    assert display_width("（条线=普法）") == 2 + 4 + 1 + 4 + 2
    assert display_width("63.5%") == 5
    assert pad("中", 4) == "中  "
    assert pad("中", 4, "right") == "  中"


def test_genre_figures_and_yoy():
    text = indicator_table_text(SAMPLE_ROWS)
    rate = _line(text, "登记失业人员再就业率")
    # 61/96 stored as 0.635 → 63.5%; last year 58.0%; 63.5 − 58.0 = 5.5 points
    assert "63.5%" in rate and "58.0%" in rate and "+5.5个百分点" in rate
    assert "达到50%以上" in rate and "完成" in rate
    count = _line(text, "开展活动（条线=普法）")
    # (9 − 12) / 12 = −25.0%
    assert "9场次" in count and "12场次" in count and "-25.0%" in count
    assert "未完成（尚有 3 个月未开展）" in count
    money = _line(text, "募集捐款")
    # 13400元 ≥ 10000 → 1.34万元; no previous year
    assert "1.34万元" in money and "无上年数据" in money
    people = _line(text, "参与居民")
    # table figures carry thousands separators; (1234 − 1000)/1000 = +23.4%
    assert "1,234人次" in people and "1,000人次" in people and "+23.4%" in people
    avg = _line(text, "场均参与")
    # an average keeps one decimal even when whole; (30 − 24)/24 = +25.0%
    assert "30.0人次" in avg and "24.0人次" in avg and "+25.0%" in avg


def test_no_data_is_never_zero():
    text = indicator_table_text(SAMPLE_ROWS)
    line = _line(text, "隐患整改率")
    assert "无数据" in line
    assert "0.0%" not in line and " 0" not in line


def test_condition_labels():
    rows = [row("activity.count", "开展活动", "场次", 4, None,
                condition={"条线": "消防安全", "活动类型": "检查巡查"})]
    text = indicator_table_text(rows)
    assert "开展活动（条线=消防安全，活动类型=检查巡查）" in text


def test_columns_line_up_with_mixed_cjk_and_ascii():
    text = indicator_table_text(SAMPLE_ROWS)
    header = _line(text, "指标")
    value_end = _end_col(header, "数值")
    target_start = _start_col(header, "目标")
    # right-aligned figures end under the heading's end, whatever their script
    for label, figure in [("登记失业人员再就业率", "63.5%"), ("开展活动（条线=普法）", "9场次"),
                          ("募集捐款", "1.34万元"), ("参与居民", "1,234人次"),
                          ("隐患整改率", "无数据"), ("场均参与", "30.0人次")]:
        line = _line(text, label)
        after_label = line[len(label):]
        assert _end_col(line, after_label.lstrip().split(" ")[0]) == value_end, line
        assert after_label.lstrip().split(" ")[0] == figure
    # left-aligned targets start under the heading
    assert _start_col(_line(text, "登记失业人员再就业率"), "达到50%以上") == target_start
    assert _start_col(_line(text, "开展活动（条线=普法）"), "每月至少一次") == target_start
    # the rule is as wide as the widest line
    rule = [ln for ln in text.splitlines() if ln and set(ln) == {"-"}][0]
    assert len(rule) == max(_width(ln) for ln in text.splitlines())


def test_grouped_by_community_with_street_totals_last():
    street = row("activity.count", "开展活动", "场次", 21, 20, community="青枫街道",
                 level="street", missing_communities=1)
    rows = [street,
            row("activity.count", "开展活动", "场次", 9, 8, community="天运社区"),
            row("activity.count", "开展活动", "场次", 12, 12, community="丰乐社区")]
    text = indicator_table_text(rows)
    a = text.index("【天运社区】2024年")
    b = text.index("【丰乐社区】2024年")
    c = text.index("【青枫街道　街道合计】")
    assert a < b < c
    assert "2024-01-01至2024-12-31" in text
    # 12 vs 12 is 持平; 21 vs 20 is +5.0%
    tail = text[b:c]
    assert "持平" in tail
    assert "+5.0%" in text[c:]
    assert "1个社区无数据" in text[c:]


def test_rate_moves_in_points_and_previous_zero():
    rows = [row("info.adoption_rate", "信息录用率", "%", 0.5, 0.5),
            row("info.adopted", "录用信息", "篇", 3, 0),
            row("volunteer.registration_rate", "志愿者注册率", "%", 0.0625, 0.07)]
    text = indicator_table_text(rows)
    assert "持平" in _line(text, "信息录用率")
    assert "上年为0" in _line(text, "录用信息")
    # 6.25% rounds half-up to 6.3%; 6.25 − 7.0 = −0.75 → −0.8 points
    line = _line(text, "志愿者注册率")
    assert "6.3%" in line and "7.0%" in line and "-0.8个百分点" in line


def test_breakdown_lists_categories_and_folds_zeros():
    rows = [row("activity.by_line", "分条线活动", "场次",
                {"党建": 3, "普法": 0, "科普": 2}, {"党建": 1, "普法": 0, "科普": 0})]
    text = indicator_table_text(rows)
    assert _line(text, "分条线活动").strip() == "分条线活动"
    dj = _line(text, "  党建")
    assert "3场次" in dj and "1场次" in dj and "+200.0%" in dj
    assert "上年为0" in _line(text, "  科普")
    assert "其余为0：普法" in text


def test_empty_rows():
    assert indicator_table_text([]) == "没有可显示的指标。"


def test_problems_table_errors_first_and_aligned():
    problems = [
        Problem("警告", "check_digit", "身份证号校验位不符", "天运社区.xlsx", "残疾人台账", 5,
                "身份证号", "110101********1234"),
        Problem("错误", "bad_date", "不是有效日期", "天运社区.xlsx", "活动台账", 12, "日期",
                "2024-13-45"),
        Problem("错误", "missing_sheet", "缺少必需的列“日期”", "天运社区.xlsx", "帮扶台账"),
    ]
    text = problems_table_text(problems)
    lines = text.splitlines()
    assert lines[0].startswith("级别")
    body = lines[2:]
    assert [ln.split()[0] for ln in body] == ["错误", "错误", "警告"]
    # 活动台账 comes before 帮扶台账 in the ledger contract's order
    assert "活动台账" in body[0] and "帮扶台账" in body[1]
    assert "\"2024-13-45\"" in body[0] and "110101********1234" in body[2]
    header_desc = _start_col(lines[0], "说明")
    assert _start_col(body[0], "不是有效日期") == header_desc
    assert _start_col(body[2], "身份证号校验位不符") == header_desc
    assert problems_table_text([]) == "未发现问题。"
