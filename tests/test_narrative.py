"""The community summary's words, from hand-made facts (tests/fixtures/narrative_tianyun.json:
天运社区 2024, figures chosen by hand, see the arithmetic beside each assertion)."""

import copy
import json
import re
from pathlib import Path

import pytest
import yaml

from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import Item, Section, Table, build_document

FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"
RULES_DIR = Path(__file__).resolve().parents[1] / "shequ_kit" / "rules"
BASE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def facts(**changes) -> CommunityFacts:
    data = copy.deepcopy(BASE)
    data.update(changes)
    return CommunityFacts.from_dict(data)


def set_value(f: CommunityFacts, indicator_id: str, value, previous="keep") -> None:
    r = f.row(indicator_id)
    r["value"] = value
    if previous != "keep":
        r["previous"] = previous


def drop(f: CommunityFacts, prefix: str) -> None:
    f.indicators = [r for r in f.indicators if not r["id"].startswith(prefix)]


def text(f: CommunityFacts) -> str:
    return build_document(f).text()


def section_text(f: CommunityFacts, key: str) -> str:
    s = build_document(f).section(key)
    return "" if s is None else s.text()


# -- figures the genre's way ----------------------------------------------------------

def test_activity_overview_with_counts_and_yoy():
    t = section_text(facts(), "work")
    # 8420 participants vs 7500: 920 / 7500 = 12.27% → 12.3%
    assert "全年社区共开展各类活动96场次，参与居民8420人次，同比增长12.3%" in t
    assert "发放宣传资料3560份" in t
    # by_type: 宣传 28, 讲座培训 20, 文体 15 are the top three (其他 30 left out)
    assert "其中宣传类活动28场次、讲座培训类活动20场次、文体类活动15场次。" in t


def test_amounts_as_wan_yuan_and_rates_one_decimal():
    t = text(facts())
    assert "月保障金合计1.34万元" in t                  # 13400元
    assert "全年发放低保金16.13万元（按月保障金估算）" in t  # 161250元 → 16.125 → 16.13
    assert "再就业率63.5%，较上年同期提高2.1个百分点" in t    # 63.5 - 61.4
    assert "全年共募集捐款4943.5元" in t                 # below 10000: as written


@pytest.mark.parametrize("value, shown", [(0.12345, "12.3%"), (0.0625, "6.3%")])
def test_rates_rounded_half_up(value, shown):
    f = facts()
    set_value(f, "employment.reemployment_rate", value, previous=None)
    assert f"再就业率{shown}。" in section_text(f, "work")


def test_dibao_sentence_t5():
    t = section_text(facts(), "work")
    assert ("截至12月31日，社区现有低保户96户214人，其中A类7户8人、B类38户77人、C类51户129人。"
            "全年新纳入6户，退出11户。") in t


def test_never_yu_beside_a_count_and_no_missing_marker_in_prose():
    t = text(facts())
    assert not re.search(r"\d余|余\d", t)
    work = section_text(facts(), "work")
    assert "无数据" not in work


# -- sentences left out without data ---------------------------------------------------

def test_sentence_left_out_when_value_is_none():
    f = facts()
    set_value(f, "activity.participants", None, previous=None)
    t = section_text(f, "work")
    assert "参与居民" not in t
    assert "参与居民0" not in t
    # the count's own 同比 takes its place: (96 - 80) / 80 = 20%
    assert "全年社区共开展各类活动96场次，同比增长20.0%" in t


def test_absent_ledger_leaves_its_item_out_never_zero():
    f = facts()
    for iid in ("dibao.households", "dibao.persons", "dibao.new", "dibao.exited",
                "dibao.monthly_amount", "dibao.period_amount", "dibao.by_class",
                "dibao.persons_by_class"):
        set_value(f, iid, None, previous=None)
    t = text(f)
    work = section_text(f, "work")
    assert "低保政策" not in work and "现有低保户" not in work
    assert "低保户0户" not in t
    assert "其中低保户80户次" in work     # 帮扶台账's own figure stays
    assert "dibao_by_class" not in build_document(f).chart_keys()


def test_section_without_any_data_is_left_out_and_numbering_follows():
    f = facts()
    drop(f, "volunteer.")
    by_line = f.row("activity.by_line")["value"]
    by_line["志愿服务"] = 0
    doc = build_document(f)
    headings = [s.heading for s in doc.section("work").subsections]
    assert not any("志愿" in h for h in headings)
    # 党建, 民生, 平安, 文明 then 特色亮点 and 共驻共建, numbered without a gap
    assert [h[:3] for h in headings] == ["（一）", "（二）", "（三）", "（四）", "（五）", "（六）"]


def test_profile_sentence_t2_without_missing_parts():
    t = section_text(facts(), "profile")
    assert t.startswith("一、社区基本情况\n天运社区辖区面积0.8平方公里，有居民3120户8420人"
                        "（其中流动人口1920人、60周岁以上老年人1807人），驻区单位14个；"
                        "社区党支部下设3个党支部，共有党员215名")
    f = facts()
    del f.profile["辖区面积(平方公里)"], f.profile["流动人口"], f.profile["60周岁以上老年人"]
    t2 = section_text(f, "profile")
    assert "天运社区有居民3120户8420人，驻区单位14个" in t2
    assert "面积" not in t2.split("\n")[1]


# -- 杜绝了火灾事故的发生 ---------------------------------------------------------------

def test_no_fire_claim_with_zero_fires_on_the_sheet():
    t = section_text(facts(), "work")
    assert "已整改55处，整改率94.8%，其中重大隐患1处，杜绝了火灾事故的发生" in t
    assert "未发生群体性事件和安全生产事故" in t


def test_no_fire_claim_without_the_safety_sheet():
    f = facts(safety=None)          # the indicator row still says 0, but no sheet says so
    assert f.value("safety.fires") == 0
    assert "杜绝了火灾事故的发生" not in text(f)


def test_no_fire_claim_when_fires_happened_or_item_empty():
    f = facts(safety={"火灾事故(起)": 2, "刑事案件(起)": 3})
    t = text(f)
    assert "杜绝了火灾事故的发生" not in t
    assert "全年辖区发生火灾事故2起、刑事案件3起" in t
    assert "杜绝了火灾事故的发生" not in text(facts(safety={"刑事案件(起)": 3}))


# -- opening, closing, signature -----------------------------------------------------------

def test_opening_t1():
    t = section_text(facts(), "opening")
    assert t == ("2024年，天运社区党支部、居委会坚持以习近平新时代中国特色社会主义思想为指导，"
                 "紧紧围绕闸弄口街道“加快大转型、提升闸弄口”的工作要求，在闸弄口街道党工委、办事处的"
                 "正确领导和精心指导下，团结带领社区广大党员、居民群众积极有效地开展各项工作。"
                 "现将2024年度工作总结如下：")


def test_opening_with_town_bodies_and_without_theme():
    f = facts(street="良渚镇")
    f.params["领导机关"] = "镇党委、镇政府"
    del f.params["中心工作"]
    f.profile["组织类型"] = "党总支"
    t = section_text(f, "opening")
    assert "天运社区党总支、居委会坚持以" in t
    assert "在良渚镇党委、镇政府的正确领导和精心指导下" in t
    assert "紧紧围绕" not in t


def test_opening_never_invents_a_guiding_thought():
    f = facts()
    del f.params["指导思想"]
    t = section_text(f, "opening")
    assert "坚持以" not in t
    assert t.startswith("2024年，天运社区党支部、居委会紧紧围绕闸弄口街道")


def test_signature_and_closing():
    t = section_text(facts(), "closing")
    assert t.startswith("总之，2024年社区工作取得了一定的成绩，但与上级要求和居民期盼还有一定的差距。"
                        "2025年，我们将")
    assert t.endswith("天运社区党支部、居委会\n2025年1月10日")
    f = facts()
    del f.params["落款日期"]
    assert section_text(f, "closing").endswith("\n2024年12月31日")


# -- half-year -------------------------------------------------------------------------

def test_half_year_variant():
    f = facts(as_of="2024-06-30", half_year=True)
    doc = build_document(f)
    t = doc.text()
    assert doc.title == "天运社区2024年上半年工作总结"
    assert t.count("2024年上半年，天运社区党支部、居委会") == 1
    assert "现将2024年上半年工作总结如下：" in t
    assert "五、下半年工作打算\n下半年，社区将" in t
    assert "上半年社区共开展各类活动96场次" in t
    assert "截至6月30日，社区现有低保户96户" in t
    assert "总之，上半年社区工作取得了一定的成绩" in t and "下半年，我们将" in t
    assert "全年" not in section_text(f, "work")


# -- the other sections ------------------------------------------------------------------

def test_targets_table():
    doc = build_document(facts())
    sec = doc.section("targets")
    table = next(b for b in sec.blocks if isinstance(b, Table))
    assert table.columns[0] == "指标"
    rows = {r[0]: r for r in table.rows}
    assert rows["隐患整改率"] == ["隐患整改率", "100%", "94.8%", "未完成", "差5.2个百分点"]
    assert rows["普法活动"][2:] == ["6个月达标", "未完成", "差6个月"]
    assert rows["低保户"][2:] == ["—", "定性目标", "不作量化评估"]
    # 7 targets, 1 qualitative → 6 quantified: 完成 2 (再就业率, 火灾), 未完成 3, 未达预期 1
    assert "年初确定的6项量化工作目标中，已完成2项，未完成3项，未达预期1项；另有1项定性目标" in sec.text()
    assert sec.charts == ["target_completion"]


def test_problems_and_next_steps_sections():
    # intros and wording are chosen from rules/phrases.yaml and defaults_rules.yaml
    bank = yaml.safe_load((RULES_DIR / "phrases.yaml").read_text(encoding="utf-8"))
    t4 = section_text(facts(), "problems").split("\n")
    assert t4[0] == "四、存在问题"
    assert t4[1] in [v.format(期间="全年") for v in bank["问题引语"]]
    assert t4[2].startswith("一是普法活动未")
    assert t4[-1] == "四是社区工作人员短缺，活动阵地不足。"
    t5 = section_text(facts(), "next_steps")
    lines = t5.split("\n")
    assert lines[2:4] == ["1、新增一处室外健身场所。", "2、争创市级绿色社区。"]
    assert lines[4][2:-1] in bank["下一步"]["条线"]["普法"]


def test_highlights_and_honours():
    f = facts()
    f.params["荣誉"] = ["市级绿色社区", "区级文明社区", "2024年被评为区级平安社区"]
    t = section_text(f, "highlights")
    assert "一是成立天运路一条街志愿服务队；二是建立DO城青少年体验基地。" in t
    assert "全年社区先后荣获市级绿色社区和区级文明社区等2项荣誉称号。" in t
    assert "社区2024年被评为区级平安社区。" in t


def test_numbered_items_open_with_a_caption():
    doc = build_document(facts())
    items = [b for s in doc.section("work").subsections for b in s.blocks if isinstance(b, Item)]
    assert items and all(re.match(r"^\d+、[^。]+。", i.text()) for i in items)
    assert items[0].text().startswith("1、加强党员队伍建设，夯实党建工作基础。")


def test_data_notes():
    t = section_text(facts(), "notes")
    assert "统计期间为2024年1月1日至2024年12月31日" in t
    # rows left out: 活动台账 2 + 低保台账 1 = 3, one line; their reasons go to the 数据核对单
    assert "3条记录因填写问题未计入统计，详见数据核对单。" in t
    assert "日期无法识别" not in t
    f = facts()
    f.quality["has_previous"] = False
    assert "未提供2023年台账，文中不作同比。" in section_text(f, "notes")


# -- HTML and flow ---------------------------------------------------------------------

def test_html_escapes_text_and_has_no_index_column():
    f = facts()
    f.params["特色亮点"] = ["<script>alert(1)</script>成立“红管家”服务队"]
    html = build_document(f).html()
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert '<table class="sk-table' in html
    assert "<th>指标</th>" in html and "<th></th>" not in html
    assert '<span class="sk-item-caption">1、' in html


def test_flow_places_charts_after_their_section():
    flow = list(build_document(facts()).flow())
    kinds = [k for k, _ in flow]
    assert kinds[0] == "html"
    charts = [v for k, v in flow if k == "chart"]
    assert charts == ["monthly_activity", "activity_by_line", "dibao_by_class",
                      "disability_by_type", "hazards", "volunteer_hours", "target_completion"]
    # the 民生保障 text precedes its charts
    i = next(n for n, (k, v) in enumerate(flow) if k == "html" and "坚持以人为本" in v)
    assert flow[i + 1] == ("chart", "dibao_by_class")


def test_section_html_embeds_given_charts():
    doc = build_document(facts())
    sec = doc.section("work.民生保障")
    assert isinstance(sec, Section)
    html = sec.html({"dibao_by_class": '<img alt="低保">'})
    assert html.index("规范低保管理") < html.index('<img alt="低保">')


def test_bare_workbook_builds_without_zeros():
    f = CommunityFacts(community="龙柏社区", street="闸弄口街道", year=2024,
                       period_start="2024-01-01", as_of="2024-12-31", half_year=False,
                       profile={"社区名称": "龙柏社区", "常住人口": 5000}, safety=None)
    doc = build_document(f)
    t = doc.text()
    assert "龙柏社区有常住人口5000人。" in t
    assert "主要工作情况暂无数据可述" in t
    assert "本年度未设定量化工作目标。" in t
    assert not re.search(r"(?<![\d.])0(场次|人次|户|件|处|篇)", t)
    assert "2024年，龙柏社区居委会在" in t and "龙柏社区居委会\n2024年12月31日" in t
    assert doc.chart_keys() == []


def test_unassessable_target_is_left_out_of_the_table_with_its_reason_in_the_notes():
    f = facts()
    f.targets = [{"指标": "info.adopted", "名称": "录用信息", "条件": None, "目标": "逐年提高",
                  "value": 35, "previous": None, "unit": "篇", "status": "无法评估",
                  "reason": "无上年数据", "gap": None, "gap_text": None, "soft": False,
                  "kind": "increase"}]
    doc = build_document(f)
    assert not [b for b in doc.section("targets").blocks if isinstance(b, Table)]
    assert "以下目标因缺少数据未作评估：录用信息（无上年数据）。" in doc.section("notes").text()


def test_short_tables_are_kept_on_one_page_and_long_ones_may_break():
    from shequ_kit.narrative import KEEP_WHOLE_ROWS, Table

    def html(n: int) -> str:
        return Table(["社区", "完成率"], [["甲社区", "50.0%"]] * n, caption="完成情况",
                     note="注：按量化目标计").html()

    # Caption, table and note move together; the guard sits on a wrapper because a
    # table's own break rule leaves its caption behind.
    for n in (12, KEEP_WHOLE_ROWS):
        assert html(n).startswith('<div class="sk-keep"><table class="sk-table">')
        assert html(n).endswith('注：按量化目标计</p></div>')
    assert html(KEEP_WHOLE_ROWS + 1).startswith('<table class="sk-table">')
    assert "sk-keep" not in html(KEEP_WHOLE_ROWS + 1)


def test_party_item_mentions_probationary_members_only_when_there_are_some():
    def party(count):
        f = facts()
        f.profile["预备党员数"] = count
        doc = build_document(f)
        items = [b for s in doc.section("work").subsections for b in s.blocks
                 if isinstance(b, Item)]
        return items[0].text()

    assert "其中预备党员3名" in party(3)
    # "其中预备党员0名" is not how a summary is written: the clause is left out.
    assert "预备党员" not in party(0)
    assert "预备党员" not in party(None)


def test_short_cells_do_not_break_over_two_lines():
    from shequ_kit.narrative import Table

    html = Table(["指标", "完成情况", "差距或说明"],
                 [["就业困难人员再就业率", "未达预期", "差41.8个百分点"]]).html()
    assert '<td class="nw">未达预期</td>' in html
    assert "<td>就业困难人员再就业率</td>" in html and "<td>差41.8个百分点</td>" in html


def test_the_target_tables_lead_sentence_moves_with_the_table():
    html = build_document(facts()).section("targets").html()
    keep = html[html.index('<div class="sk-keep">'):]
    assert keep.startswith('<div class="sk-keep"><h2>三、年度目标完成情况</h2>'
                            '<p class="sk-table-lead">年初确定的')
    assert "<caption>年度目标完成情况</caption>" in keep
