"""The report's charts, drawn from hand-made facts (tests/fixtures/narrative_tianyun.json:
天运社区 2024) and from a small street built here; the expected figures are worked out
beside each assertion."""

import copy
import itertools
import json
import re
import struct
import subprocess
import sys
import textwrap
import zlib
from pathlib import Path

import matplotlib as mpl
import pytest
from matplotlib.colors import to_hex
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from shequ_kit import charts, fonts
from shequ_kit.facts import CommunityFacts, StreetFacts
from shequ_kit.narrative import CHART_SOURCES

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"
BASE = json.loads(FIXTURE.read_text(encoding="utf-8"))
COMMUNITY_KEYS = [k for k, c in charts.CHARTS.items() if c.scope == "community"]
STREET_KEYS = [k for k, c in charts.CHARTS.items() if c.scope == "street"]


def facts(**changes) -> CommunityFacts:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return CommunityFacts.from_dict(data)


def set_row(f: CommunityFacts, indicator_id: str, **fields) -> None:
    row = f.row(indicator_id)
    if row is None:
        row = {"id": indicator_id, "name": indicator_id, "unit": None, "better": "—",
               "value": None, "previous": None}
        f.indicators.append(row)
    row.update(fields)


def full_facts() -> CommunityFacts:
    """The fixture plus last year's breakdowns and the hazards by type."""
    f = facts()
    set_row(f, "activity.by_month", previous={str(m): 8 for m in range(1, 13)})
    set_row(f, "activity.by_line", previous={"党建": 10, "普法": 12, "社区教育": 3})
    set_row(f, "dibao.by_class", previous={"A": 9, "B": 40, "C": 52})
    set_row(f, "hazard.by_type", name="分类别隐患", unit="处",
            value={"消防": 30, "用电": 20, "燃气": 8, "其他": 0},
            previous={"消防": 25, "用电": 20, "燃气": 5, "其他": 0})
    return f


# -- reading what was drawn ------------------------------------------------------------

def png_info(data: bytes) -> dict:
    """Width, height and pixels per metre from the PNG's own chunks."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, out = 8, {}
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert zlib.crc32(kind + body) == struct.unpack(">I", data[pos + 8 + length:
                                                                  pos + 12 + length])[0]
        if kind == b"IHDR":
            out["width"], out["height"] = struct.unpack(">II", body[:8])
        elif kind == b"pHYs":
            out["ppm_x"], out["ppm_y"], out["unit"] = struct.unpack(">IIB", body)
        elif kind == b"tEXt":
            out.setdefault("text", []).append(body.split(b"\0")[0].decode("latin-1"))
        pos += 12 + length
    return out


def drawn_texts(fig) -> list[tuple[str, object]]:
    """(text, window extent) of every text the PNG shows; tick labels of ticks outside
    the view limits exist as objects but are not drawn, so they are left out."""
    with mpl.rc_context(charts._style()):
        fig.draw_without_rendering()
        renderer = fig.canvas.get_renderer()
        hidden = set()
        for ax in fig.axes:
            for axis in (ax.xaxis, ax.yaxis):
                lo, hi = sorted(axis.get_view_interval())
                for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                    if not (lo - 1e-9 <= tick.get_loc() <= hi + 1e-9):
                        hidden.update({id(tick.label1), id(tick.label2)})
        return [(t.get_text(), t.get_window_extent(renderer)) for t in fig.findobj(Text)
                if t.get_visible() and t.get_text() and id(t) not in hidden]


def all_text(fig) -> str:
    return "\n".join(t for t, _ in drawn_texts(fig))


def bars(ax) -> list[float]:
    """Heights (vertical) or widths (horizontal) of this year's bars, in drawing order."""
    container = ax.containers[-1]
    return [p.get_height() if container.orientation == "vertical" else p.get_width()
            for p in container.patches]


def ticklabels(ax, axis: str = "x") -> list[str]:
    labels = ax.get_xticklabels() if axis == "x" else ax.get_yticklabels()
    return [t.get_text() for t in labels]


# -- every chart -----------------------------------------------------------------------

def test_the_registry_declares_every_chart_the_narrative_places():
    for key, sources in CHART_SOURCES.items():
        assert key in charts.CHARTS
        assert set(sources) <= set(charts.CHARTS[key].sources)
    for key in ("target_completion", "street_ranking", "street_heatmap"):
        assert key in charts.CHARTS
    for key, chart in charts.CHARTS.items():
        assert chart.key == key and chart.scope in ("community", "street", "any")
        assert re.search(r"[\u4e00-\u9fff]", chart.title)


@pytest.mark.parametrize("key", COMMUNITY_KEYS)
def test_each_community_chart_is_a_real_a4_png_in_chinese(key):
    fig = charts.draw(key, full_facts())
    assert fig is not None
    title = charts.CHARTS[key].title
    assert fig.get_label() == title
    assert fig._suptitle.get_text() == title
    text = all_text(fig)
    assert re.search(r"[A-Za-z]{2,}", text) is None, text  # no English anywhere
    assert fonts.missing_glyphs(text) == []
    data = charts.to_png(fig)
    info = png_info(data)
    # 16 cm at 200 dpi: 16 / 2.54 × 200 = 1259.8 pixels.
    assert abs(info["width"] - 1259.8) < 1
    assert 5.5 / 2.54 * 200 - 1 <= info["height"] <= 23 / 2.54 * 200 + 1
    # 200 dpi = 200 / 0.0254 = 7874 pixels per metre.
    assert info["unit"] == 1 and info["ppm_x"] == info["ppm_y"] == 7874
    assert "Software" not in info.get("text", [])


@pytest.mark.parametrize("key", COMMUNITY_KEYS)
def test_no_label_overlaps_another_or_leaves_the_picture(key):
    assert_legible(charts.draw(key, full_facts()))


def assert_legible(fig) -> None:
    """Every drawn text inside the picture and clear of every other (shared with the
    odd-data checks of test_layout_charts.py)."""
    items = drawn_texts(fig)
    box = fig.bbox
    for text, ext in items:
        assert ext.x0 >= box.x0 - 1 and ext.x1 <= box.x1 + 1, f"{text!r} 超出左右边界"
        assert ext.y0 >= box.y0 - 1 and ext.y1 <= box.y1 + 1, f"{text!r} 超出上下边界"
    for (a, ea), (b, eb) in itertools.combinations(items, 2):
        assert not ea.shrunk(0.97, 0.85).overlaps(eb.shrunk(0.97, 0.85)), (a, b)


@pytest.mark.parametrize("key", COMMUNITY_KEYS)
def test_the_same_facts_give_the_same_png_bytes(key):
    assert charts.png(key, full_facts()) == charts.png(key, full_facts())


@pytest.mark.parametrize("key", COMMUNITY_KEYS)
def test_untitled_charts_leave_the_title_to_the_caption(key):
    """Reports number their captions (图1 …) and say the title there, so the picture
    drawn for them must not repeat it; the explorer keeps the title in the picture."""
    title = charts.CHARTS[key].title
    assert title in charts.chart_texts(charts.draw(key, full_facts()))
    untitled = charts.draw(key, full_facts(), titled=False)
    assert title not in charts.chart_texts(untitled)
    assert untitled.get_label() == title
    assert charts.png(key, full_facts(), titled=False) != charts.png(key, full_facts())


def test_the_same_png_bytes_in_a_fresh_process_without_pyplot():
    code = textwrap.dedent(f"""
        import hashlib, json, sys
        sys.path.insert(0, {str(ROOT / "tests")!r})
        from test_charts import full_facts
        from shequ_kit import charts
        data = charts.png("hazards", full_facts())
        print(hashlib.sha256(data).hexdigest(), "matplotlib.pyplot" in sys.modules)
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr
    import hashlib
    digest, pyplot = done.stdout.split()
    assert digest == hashlib.sha256(charts.png("hazards", full_facts())).hexdigest()
    assert pyplot == "False"


def test_to_png_refuses_text_the_face_cannot_draw_and_closes_the_figure():
    f = facts()
    set_row(f, "activity.by_line", value={"党建": 12, "普法😀": 3})
    fig = charts.draw("activity_by_line", f)
    with pytest.raises(fonts.MissingGlyphError) as err:
        charts.to_png(fig)
    assert "图表“各条线开展活动场次”的文字" in str(err.value)
    assert err.value.chars == ["😀"]
    assert fig.axes == []  # closed (cleared) even when refused


def test_unknown_chart_and_wrong_facts_are_refused_in_chinese():
    with pytest.raises(charts.ChartError, match="未知的图表“pie”"):
        charts.draw("pie", facts())
    with pytest.raises(charts.ChartError, match="用于街道汇总"):
        charts.draw("street_ranking", facts())
    with pytest.raises(charts.ChartError, match="用于社区工作总结"):
        charts.draw("monthly_activity", street())


# -- absent data is not drawn -----------------------------------------------------------

ABSENT = {
    "monthly_activity": ["activity.by_month"],
    "activity_by_line": ["activity.by_line"],
    "dibao_by_class": ["dibao.by_class"],
    "disability_by_type": ["disability.by_type"],
    "hazards": ["hazard.found", "hazard.rectified", "hazard.by_type"],
    "volunteer_hours": ["volunteer.hours"],
}


@pytest.mark.parametrize("key", sorted(ABSENT))
def test_a_chart_without_its_figures_is_not_drawn(key):
    f = facts()
    for iid in ABSENT[key]:
        set_row(f, iid, value=None, previous=None)
    assert charts.draw(key, f) is None
    assert charts.png(key, f) is None
    g = facts()
    g.indicators = [r for r in g.indicators if r["id"] not in ABSENT[key]]
    assert charts.draw(key, g) is None


def test_targets_all_qualitative_or_none_draw_no_completion_chart():
    f = facts()
    f.targets = [t for t in f.targets if t["status"] == "定性目标"]
    assert charts.draw("target_completion", f) is None
    assert charts.draw("target_completion", facts(targets=[])) is None


# -- what each chart shows -----------------------------------------------------------------

def test_monthly_activity_bars_are_the_months_with_last_year_behind():
    fig = charts.draw("monthly_activity", facts())
    ax = fig.axes[0]
    # Fixture: 10 a month except February, July and August (0).
    assert bars(ax) == [10, 0, 10, 10, 10, 10, 0, 0, 10, 10, 10, 10]
    assert ticklabels(ax) == [f"{m}月" for m in range(1, 13)]
    assert ax.get_ylabel() == "活动场次（场次）"
    assert len(ax.containers) == 1 and fig.legends == []  # no 上年 data, no legend
    zero_labels = [t for t in ax.texts if t.get_text() == "0"]
    assert len(zero_labels) == 3 and all(to_hex(t.get_color()) == charts.SHORT
                                         for t in zero_labels)

    fig = charts.draw("monthly_activity", full_facts())
    ax = fig.axes[0]
    assert len(ax.containers) == 2
    assert [p.get_height() for p in ax.containers[0].patches] == [8] * 12
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2023年", "2024年"]


def test_half_year_legends_name_the_window():
    f = full_facts()
    f.half_year, f.as_of = True, "2024-06-30"
    set_row(f, "activity.by_month", value={str(m): m for m in range(1, 7)},
            previous={str(m): 1 for m in range(1, 7)})
    fig = charts.draw("monthly_activity", f)
    assert ticklabels(fig.axes[0]) == ["1月", "2月", "3月", "4月", "5月", "6月"]
    assert [t.get_text() for t in fig.legends[0].get_texts()] == ["2023年同期",
                                                                  "2024年1-6月"]


def test_activity_by_line_ranks_lines_and_leaves_out_empty_ones():
    fig = charts.draw("activity_by_line", facts())
    ax = fig.axes[0]
    # 21 条线 in the fixture, 6 of them at 0 (民政救助, 退役军人, 社区教育, 物业管理,
    # 卫生健康, 其他): 15 lines, largest first (党建12, 宣传文明10, 消防安全9 …); the
    # largest 11 get a bar each and the last 4 share one, so the chart fits A4.
    assert len(bars(ax)) == 12
    labels = ticklabels(ax, "y")
    assert labels[:3] == ["党建", "宣传文明", "消防安全"]
    assert labels[-1] == "其余4个条线"
    assert bars(ax)[:3] == [12, 10, 9]
    assert "社区教育" not in labels and "应急管理" not in labels
    line = facts().row("activity.by_line")["value"]
    ranked = sorted((v for v in line.values() if v), reverse=True)
    assert bars(ax)[-1] == sum(ranked[11:]) and sum(bars(ax)) == sum(ranked)

    # A line at 0 this year but active last year still counts, in the folded bar here.
    fig = charts.draw("activity_by_line", full_facts())
    labels = ticklabels(fig.axes[0], "y")
    assert len(labels) == 12 and labels[-1] == "其余5个条线"


def test_dibao_by_class_shows_households_and_persons_per_class():
    fig = charts.draw("dibao_by_class", full_facts())
    households, persons = fig.axes
    assert ticklabels(households) == ["A类", "B类", "C类"]
    assert bars(households) == [7, 38, 51]
    assert [p.get_height() for p in households.containers[0].patches] == [9, 40, 52]
    assert bars(persons) == [8, 77, 129]
    assert households.get_ylabel() == "低保户（户）" and persons.get_ylabel() == "低保人数（人）"


def test_disability_by_type_largest_first_without_empty_types():
    fig = charts.draw("disability_by_type", facts())
    ax = fig.axes[0]
    # 肢体41, 视力9, 听力8, 精神8 (ties keep the ledger's order), 智力7, 多重1; 言语0 left out.
    assert ticklabels(ax, "y") == ["肢体残疾", "视力残疾", "听力残疾", "精神残疾", "智力残疾",
                                   "多重残疾"]
    assert bars(ax) == [41, 9, 8, 8, 7, 1]


def test_hazards_split_found_into_rectified_and_open_with_the_rate():
    fig = charts.draw("hazards", full_facts())
    left, right = fig.axes
    # 2024: found 58, rectified 55 → 3 open, 55/58 = 94.83% → 94.8%.
    # 2023: found 50, rectified 50 → 100.0%.
    widths = [p.get_width() for p in left.patches if isinstance(p, Rectangle)]
    assert widths[:2] == [55, 3] and widths[2] == 50
    text = all_text(fig)
    assert "排查58处，已整改55处\n 整改率94.8%" in text
    assert "整改率100.0%" in text
    assert ticklabels(left, "y") == ["2024年", "2023年"]
    # By type: 消防30, 用电20, 燃气8; 其他 is 0 both years and left out.
    assert ticklabels(right, "y") == ["消防", "用电", "燃气"]
    assert bars(right) == [30, 20, 8]

    f = facts()  # no hazard.by_type in the fixture: one panel
    assert len(charts.draw("hazards", f).axes) == 1


def test_volunteer_chart_compares_each_figure_with_last_year():
    fig = charts.draw("volunteer_hours", facts())
    assert len(fig.axes) == 3
    titles = [ax.get_title() for ax in fig.axes]
    # 320/300 − 1 = 6.67% → 6.7%; 1250/1100 − 1 = 13.64% → 13.6%; 3762.5/3300 − 1 = 14.02%.
    assert titles == ["注册志愿者\n同比增长6.7%", "志愿服务记录\n同比增长13.6%",
                      "志愿服务时长\n同比增长14.0%"]
    assert bars(fig.axes[2]) == [3300, 3762.5]
    assert [t.get_text() for t in fig.axes[2].texts] == ["3300", "3762.5"]


def test_target_completion_bars_measure_how_far_each_target_is_met():
    f = facts()
    fig = charts.draw("target_completion", f)
    ax = fig.axes[0]
    # Quantified targets (定性目标 低保户 left out), completion in %:
    # 再就业率 完成 → 100; 困难人员 0.45 of 0.60 (gap −0.15) → 75;
    # 隐患整改率 0.9483 of 1.0 (gap −0.0517) → 94.83; 普法 每月 6 of 12 months (6 lacking) → 50;
    # 火灾 杜绝, 0 起 → 100; 录用信息 逐年提高 35 against 42 (gap −7) → 83.33.
    coloured = [p for p in ax.patches if to_hex(p.get_facecolor()) != "#eeeeee"]
    widths = [round(p.get_width(), 2) for p in coloured]
    assert widths == [100, 75, 94.83, 50, 100, 83.33]
    assert [to_hex(p.get_facecolor()) for p in coloured] == [
        charts.THIS_YEAR, charts.SOFT, charts.SHORT, charts.SHORT, charts.THIS_YEAR,
        charts.SHORT]
    assert ticklabels(ax, "y") == ["登记失业人员再就业率", "就业困难人员再就业率", "隐患整改率",
                                   "普法活动", "火灾事故", "录用信息"]
    text = all_text(fig)
    assert "未达预期，实际45.0%" in text and "目标：力争达到60%" in text
    assert "低保户" not in text


def test_target_completion_uses_the_required_figure_when_given():
    # 不超过 form: asked at most 5 起, 8 happened → 5/8 = 62.5% of the way.
    target = {"指标": "safety.criminal_cases", "名称": "刑事案件", "条件": None,
              "目标": "不超过5起", "value": 8, "previous": 4, "unit": "起",
              "status": "未完成", "gap": 3, "kind": "at_most", "required": 5}
    assert charts.completion(target) == 0.625
    assert charts.completion({**target, "status": "无法评估", "value": None}) is None
    fig = charts.draw("target_completion", facts(targets=[
        target, {**target, "名称": "群体性事件", "status": "无法评估", "value": None,
                 "reason": "无数据"}]))
    # the target without data draws no empty bar (数据说明 lists it)
    assert "群体性事件" not in all_text(fig) and "无法评估" not in all_text(fig)
    assert charts.draw("target_completion", facts(targets=[
        {**target, "status": "无法评估", "value": None, "reason": "无数据"}])) is None


# -- the street -------------------------------------------------------------------------------

def _row(iid, name, unit, better, value):
    return {"id": iid, "name": name, "unit": unit, "better": better, "value": value,
            "previous": None}


def community(name: str, reemp, days, count, targets=()) -> CommunityFacts:
    f = facts(community=name, targets=list(targets))
    f.indicators = [
        _row("employment.reemployment_rate", "登记失业人员再就业率", "%", "↑", reemp),
        _row("hazard.avg_days", "平均整改天数", "天", "↓", days),
        _row("activity.count", "开展活动", "场次", "↑", count),
        _row("safety.fires", "火灾事故", "起", "↓", 0),
    ]
    return f


def street() -> StreetFacts:
    missed = {"指标": "employment.reemployment_rate", "条件": None, "status": "未完成",
              "value": 0.3, "目标": "达到50%以上"}
    comms = [
        community("甲社区", 0.5, 10.0, 120),
        community("乙社区", 0.3, 4.0, 80, [missed]),
        community("丙社区", 0.6, None, 100),
        community("丁社区", None, 7.0, 100),
    ]
    totals = [{"id": "employment.reemployment_rate", "name": "登记失业人员再就业率",
               "unit": "%", "better": "↑", "value": 0.45, "level": "street"}]
    return StreetFacts(street="青枫街道", year=2024, as_of="2024-12-31", half_year=False,
                       communities=comms, totals=totals)


def test_street_ranking_orders_communities_against_the_street_total():
    fig = charts.draw("street_ranking", street())
    ax = fig.axes[0]
    # Default: the re-employment rate (3 communities have it); best first; 丁 has none.
    assert ticklabels(ax, "y") == ["丙社区", "甲社区", "乙社区", "丁社区"]
    assert [round(w, 6) for w in bars(ax)] == [60, 50, 30]
    assert fig.get_label() == "各社区登记失业人员再就业率排名"
    text = all_text(fig)
    assert "无数据" in text and "青枫街道合计 45.0%" in text
    # At or above the pooled 45%: 丙 60%, 甲 50%; below: 乙 30%.
    colours = [to_hex(p.get_facecolor()) for p in ax.containers[-1].patches]
    assert colours == [charts.THIS_YEAR, charts.THIS_YEAR, charts.LAST_YEAR]
    assert [line.get_xdata()[0] for line in ax.lines] == [45]
    assert png_info(charts.to_png(fig))["ppm_x"] == 7874


def test_a_lower_is_better_indicator_ranks_smallest_first():
    fig = charts.indicator_bar(street(), "hazard.avg_days")
    # 乙 4.0, 丁 7.0, 甲 10.0 days; 丙 has none.
    assert ticklabels(fig.axes[0], "y") == ["乙社区", "丁社区", "甲社区", "丙社区"]
    assert bars(fig.axes[0]) == [4.0, 7.0, 10.0]
    assert charts.indicator_bar(street(), "no.such_indicator") is None


def test_street_heatmap_colours_each_column_by_its_own_range():
    s = street()
    fig = charts.draw("street_heatmap", s)
    ax = fig.axes[0]
    # Default columns: the target's indicator first, then the defaults the street has;
    # 火灾事故 is not a default and avg_days neither.
    headers = ticklabels(ax)
    assert headers[0] == "再就业率\n（%）"
    assert headers[1] == "开展活动\n（场次）"
    assert len(headers) == 2
    cells = {(round(p.get_x()), round(p.get_y())): p for p in ax.patches
             if isinstance(p, Rectangle) and p.get_fill() and p.get_width() == 1}
    # Re-employment ↑ over 0.3 .. 0.6: 丙 (row 2) best = blue end, 乙 (row 1) worst = red
    # end, 甲 0.5 → (0.5 − 0.3) / 0.3 = 0.667 of the way.
    assert to_hex(cells[(0, 2)].get_facecolor()) == "#86a9c4"
    assert to_hex(cells[(0, 1)].get_facecolor()) == "#d39a87"
    assert cells[(0, 0)].get_facecolor() == pytest.approx(charts._BETTER_CMAP(2 / 3))
    # 开展活动 80 .. 120: 丙 and 丁 at 100 are the middle colour.
    assert to_hex(cells[(1, 2)].get_facecolor()) == to_hex(charts._BETTER_CMAP(0.5))
    text = all_text(fig)
    assert "60.0%" in text and "无数据" in text and "120" in text
    outlines = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_fill()]
    assert len(outlines) == 1 and round(outlines[0].get_y()) == 1  # 乙's missed target
    assert "红框为该项年度目标未完成" in text

    # Chosen columns, lower-is-better reversed: 乙 4.0 days is the best (blue) end.
    fig = charts.draw("street_heatmap", s, indicator_ids=["hazard.avg_days"])
    cells = {round(p.get_y()): p for p in fig.axes[0].patches
             if isinstance(p, Rectangle) and p.get_fill() and p.get_width() == 1}
    assert to_hex(cells[1].get_facecolor()) == "#86a9c4"
    assert to_hex(cells[0].get_facecolor()) == "#d39a87"


@pytest.mark.parametrize("key", STREET_KEYS)
def test_street_charts_are_clean_pngs_and_absent_without_data(key):
    fig = charts.draw(key, street())
    items = drawn_texts(fig)
    for (a, ea), (b, eb) in itertools.combinations(items, 2):
        assert not ea.shrunk(0.97, 0.85).overlaps(eb.shrunk(0.97, 0.85)), (a, b)
    assert re.search(r"[A-Za-z]{2,}", all_text(fig)) is None
    assert abs(png_info(charts.to_png(fig))["width"] - 1259.8) < 1
    assert charts.png(key, street()) == charts.png(key, street())
    empty = street()
    for f in empty.communities:
        f.indicators = []
    empty.totals = []
    assert charts.draw(key, empty) is None


# -- named periods (run --period): a week, a month, a quarter ----------------------------

NAMED_PERIODS = ("2024W15", "2024-03", "2024Q3")


def period_facts(text: str, key: str):
    from shequ_kit.period import parse_period

    f = street() if charts.CHARTS[key].scope == "street" else full_facts()
    f.period = parse_period(text).to_dict()
    return f


@pytest.mark.parametrize("text", NAMED_PERIODS)
@pytest.mark.parametrize("key", COMMUNITY_KEYS + STREET_KEYS)
def test_every_chart_of_a_named_period_is_legible(key, text):
    fig = charts.draw(key, period_facts(text, key))
    if fig is not None:
        assert_legible(fig)


@pytest.mark.parametrize(("text", "ticks"), [
    ("2024W15", ["2023年\n同期", "2024年\n第15周"]),
    ("2024-03", ["2023年\n同期", "2024年\n3月"]),
    ("2024Q3", ["2023年\n同期", "2024年\n第三季度"]),
])
def test_volunteer_panels_name_a_named_period_in_two_short_lines(text, ticks):
    """2024年第15周（4月8日—4月14日） beside 2023年同期 under a third of the page ran into it."""
    fig = charts.draw("volunteer_hours", period_facts(text, "volunteer_hours"))
    assert ticklabels(fig.axes[0]) == ticks


def test_a_one_month_breakdown_of_a_named_period_draws_no_monthly_chart():
    f = period_facts("2024W15", "monthly_activity")
    set_row(f, "activity.by_month", value={"4": 3}, previous={"4": 5})
    assert charts.draw("monthly_activity", f) is None
    f = period_facts("2024Q3", "monthly_activity")
    set_row(f, "activity.by_month", value={"7": 3, "8": 1, "9": 2}, previous=None)
    assert ticklabels(charts.draw("monthly_activity", f).axes[0]) == ["7月", "8月", "9月"]


def test_a_count_of_one_has_whole_ticks_only():
    """A week's single 志愿服务记录 (1 beside last year's 1) drew ticks of 0.25人次."""
    f = period_facts("2024W15", "volunteer_hours")
    set_row(f, "volunteer.service_times", value=1, previous=1)
    fig = charts.draw("volunteer_hours", f)
    lo, hi = fig.axes[1].get_ylim()
    shown = [t for t in fig.axes[1].get_yticks() if lo - 1e-9 <= t <= hi + 1e-9]
    assert shown == [0, 1]
