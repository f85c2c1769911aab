"""Issue 8, classes 5 and 6: the summary names the work (the ledger's own 活动名称, per
条线, recurring and largest), never "其他类活动", never a resident's name; and the two
volunteer measures (活动台账's 志愿者人次, 志愿服务记录's rows) are told apart.

A small 天运社区 2024 workbook is written here by hand; every expected figure is worked
out beside its assertion."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import assemble, charts
from shequ_kit.events import display_name, name_key
from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import build_document
from shequ_kit.tables import indicator_table_text

ACT_HEAD = ["序号", "日期", "条线", "活动名称", "活动类型", "参与人次", "志愿者人次"]
RESIDENT = "欧阳明"  # a registered volunteer: personal data


def act_rows() -> list[list]:
    rows: list[list] = []

    def add(day: str, line: str, name: str, kind: str, people: int, vols: int = 0) -> None:
        rows.append([len(rows) + 1, datetime.fromisoformat(day), line, name, kind, people,
                     vols])

    # 党建: the 主题党日 every month, typed with its month in front (one activity).
    for m in range(1, 13):
        add(f"2024-{m:02d}-10", "党建", f"{m}月主题党日活动", "会议学习", 20, 1)
    add("2024-07-01", "党建", "庆“七一”党员大会", "会议学习", 150, 5)
    add("2024-11-20", "党建", "党员冬训", "会议学习", 30)
    add("2024-09-09", "党建", f"为{RESIDENT}老人祝寿", "走访慰问", 500, 10)  # never quoted
    # 普法: the 每月一法 four times (recurring, not monthly), three one-offs.
    for m in (3, 5, 7, 9):
        add(f"2024-{m:02d}-15", "普法", "\"每月一法\"宣传", "宣传", 25, 2)
    add("2024-04-15", "普法", "民法典进社区讲座", "讲座培训", 80)
    add("2024-12-04", "普法", "宪法宣传", "宣传", 20)
    add("2024-06-01", "普法", "法律咨询", "便民服务", 60)
    # 其他 and 卫生健康 (one 版块: 社区治理).
    add("2024-05-06", "其他", "居民需求调查", "入户走访", 40)
    add("2024-08-06", "其他", "楼道议事", "议事协商", 10)
    add("2024-10-12", "卫生健康", "义诊", "便民服务", 30, 3)
    # An activity of last year: outside the period, not counted and not named.
    add("2023-12-20", "普法", "年终普法大集", "宣传", 900)
    return rows


def write_book(folder: Path) -> Path:
    path = folder / "2024" / "天运社区.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    for row in (["项目", "数值"], ["社区名称", "天运社区"], ["所属街道", "闸弄口街道"],
                ["常住人口", 8000], ["统计截止日期", datetime(2024, 12, 31)]):
        ws.append(row)
    sheets = {
        "活动台账": [ACT_HEAD] + act_rows(),
        "志愿者名册": [["序号", "志愿者编号", "姓名", "注册日期"],
                  [1, "1001", RESIDENT, datetime(2020, 1, 1)],
                  [2, "1002", "司马青", datetime(2021, 1, 1)]],
        "志愿服务记录": [["序号", "日期", "志愿者编号", "服务时长(小时)"],
                    [1, datetime(2024, 3, 1), "1001", 2],
                    [2, datetime(2024, 4, 1), "1001", 3],
                    [3, datetime(2024, 5, 1), "1002", 1.5]],
    }
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    path.parent.mkdir(parents=True)
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def facts(tmp_path_factory) -> CommunityFacts:
    folder = tmp_path_factory.mktemp("names")
    write_book(folder)
    result = assemble.year_facts(folder, 2024, params_dir=None)
    assert not result.failures, result.failures
    return result.communities["天运社区"]


@pytest.fixture(scope="module")
def text(facts: CommunityFacts) -> str:
    return build_document(facts).text()


def item(text: str, caption: str) -> str:
    """The line of the numbered item whose caption is given."""
    return next(line for line in text.splitlines() if caption in line)


def test_the_overview_names_the_largest_one_off_activities(text: str) -> None:
    # 15 党建 + 7 普法 + 2 其他 + 1 卫生健康 = 25 (the 2023 row is outside the period).
    assert "全年社区共开展各类活动25场次" in text
    # One-off activities by 参与人次: 七一 150, 民法典 80, 法律咨询 60 (祝寿 500 holds a
    # resident's name and is not quoted).
    assert ("规模较大的活动有庆“七一”党员大会（150人次）、民法典进社区讲座（80人次）和"
            "法律咨询（60人次）。") in text


def test_each_line_names_its_recurring_and_largest_work(text: str) -> None:
    party = item(text, "丰富组织生活")
    # 12 主题党日 in 12 months: every month; 党员冬训 is the line's largest left (七一 is in
    # the overview, 祝寿 not quotable); 12 + 1 named of 15: 等.
    assert "全年开展党建类活动15场次，每月开展主题党日活动，还开展了党员冬训等活动。" in party
    law = item(text, "提高居民安全防范意识")
    # 每月一法 4 times in 4 months of 12: 定期; 宪法宣传 the largest one-off left.
    assert ("全年开展普法类活动7场次，定期开展“每月一法”宣传（4场次），"
            "还开展了宪法宣传等活动。") in law


def test_other_is_never_written_as_a_line(text: str) -> None:
    gov = item(text, "营造良好人居环境")
    # 1 卫生健康 + 2 其他 = 3; 其他 left out of the 围绕 list; both 其他 activities named: no 等.
    assert gov.endswith("全年围绕卫生健康等工作开展活动3场次：一是卫生健康类活动1场次，包括义诊；"
                        "二是其他各类活动2场次，包括居民需求调查、楼道议事。")
    assert "其他类活动" not in text
    assert "、其他" not in text and "其他等工作" not in text


def test_an_activity_naming_a_resident_is_not_quoted(facts: CommunityFacts,
                                                     text: str) -> None:
    assert RESIDENT not in text
    assert RESIDENT not in facts.to_json()  # nor in the facts handed to the notebook
    # It still counts: 党建 15 场次 includes it.
    assert facts.value("activity.by_line")["党建"] == 15


def test_the_two_volunteer_measures_are_named_apart(text: str) -> None:
    # 活动台账 志愿者人次: 12×1 + 5 + 10 + 4×2 + 3 = 38; 志愿服务记录: 3 rows, 6.5 hours.
    assert "活动中志愿者参与38人次" in text
    assert "全年志愿服务记录3人次，累计服务时长6.5小时" in text
    # No bare 志愿者参与 that a reader could take for the other measure.
    assert re.findall(r".{3}志愿者参与", text) == ["活动中志愿者参与"]


def test_the_two_volunteer_measures_have_two_names_in_the_indicator_table(
        facts: CommunityFacts) -> None:
    table = indicator_table_text(facts.indicators)
    rows = [line.split() for line in table.splitlines()]
    lines = {r[0]: r[1] for r in rows if len(r) > 1 and "志愿" in r[0]}
    assert lines["活动中志愿者参与"] == "38人次"  # as worked out above
    assert lines["志愿服务记录"] == "3人次"
    assert "志愿者参与" not in lines and "志愿服务" not in lines


def test_events_survive_the_json_hand_over(facts: CommunityFacts) -> None:
    again = CommunityFacts.from_json(facts.to_json())
    assert build_document(again).text() == build_document(facts).text()
    party = again.events["by_line"]["党建"]
    assert party[0] == {"name": "主题党日活动", "line": "党建", "times": 12,
                        "participants": 240, "largest": 20, "months": 12,
                        "recurring": True, "monthly": True}


def test_chart_and_prose_state_the_same_yoy_for_service_hours() -> None:
    """The 志愿服务 chart's panel and the sentence give one 同比 for one figure."""
    import json
    base = json.loads((Path(__file__).parent / "fixtures" / "narrative_tianyun.json")
                      .read_text(encoding="utf-8"))
    f = CommunityFacts.from_dict(base)
    prose = build_document(f).text()
    stated = re.search(r"累计服务时长[\d.]+小时，([^，。]+)", prose).group(1)
    fig = charts.draw("volunteer_hours", f)
    titles = {ax.get_title().split("\n")[0]: ax.get_title().split("\n")[-1] for ax in fig.axes}
    # 3762.5 / 3300 − 1 = 14.02% → 14.0%
    assert stated == titles["志愿服务时长"] == "同比增长14.0%"
    assert "志愿服务记录" in titles and "志愿者参与" not in titles


@pytest.mark.parametrize("raw, shown", [
    ("天运社区消防安全知识讲座", "消防安全知识讲座"),          # the community's own name dropped
    ("\"每月一法\"宣传", "“每月一法”宣传"),                  # ASCII quotes made Chinese
    ("「清洁家园」环境整治", "“清洁家园”环境整治"),
    ("“快乐暑假 安全相伴”防溺水", "“快乐暑假\u3000安全相伴”防溺水"),  # not stretched in print
    ("学习贯彻党的二十大精神——社区党员冬训暨专题党课", "学习贯彻党的二十大精神"),  # 25 > 18
    ("老年人智能手机培训（第二期）（与电信合办）活动课程", "老年人智能手机培训活动课程"),
    ("“人人讲安全 个个会应急”安全生产月宣传", "安全生产月宣传"),  # 20 > 18: slogan dropped
    ("居民代表大会关于小区停车位改造收费标准和管理办法的议事协商", None),  # 30, no cut
])
def test_long_names_are_trimmed_at_a_break_or_not_quoted(raw: str, shown: str | None) -> None:
    assert display_name(raw, "天运社区", 18) == shown


def test_month_and_term_marks_do_not_split_a_recurring_activity() -> None:
    patterns = ["^\\s*\\d{1,2}\\s*月份?", "[（(]\\s*第?\\s*[一二三四五六七八九十\\d]+\\s*[期场次季度]*"
                "\\s*[)）]"]
    assert name_key("3月主题党日活动", patterns) == name_key("12月份主题党日活动", patterns) \
        == name_key("主题党日活动（第二期）", patterns) == "主题党日活动"
    assert name_key("“每月一法”宣传") == name_key("\"每月一法\" 宣传") == "每月一法宣传"
