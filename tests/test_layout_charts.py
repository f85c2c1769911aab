"""Every chart on odd data stays legible: long 条线 and category names, twelve busy
months with four-digit counts, many categories, a long target list and a street of
twelve communities with long names. No drawn text overlaps another or leaves the
picture (the same measure as tests/test_charts.py, on data nobody tuned the charts to)."""

from __future__ import annotations

import pytest
from test_charts import COMMUNITY_KEYS, STREET_KEYS, assert_legible, facts, set_row

from shequ_kit import charts
from shequ_kit.facts import StreetFacts

LONG_LINES = ["党建", "群团", "民政救助", "残疾人", "养老服务", "就业社保", "退役军人服务",
              "综治平安", "消防安全", "应急管理", "普法宣传教育", "宣传文明", "文体",
              "科普", "社区教育", "未成年人保护", "环境卫生整治", "志愿服务", "物业管理",
              "卫生健康", "其他"]


def odd_facts():
    f = facts()
    months = {str(m): 1000 + 37 * m for m in range(1, 13)}
    set_row(f, "activity.by_month", value=months,
            previous={str(m): 990 + 41 * m for m in range(1, 13)})
    lines = {name: 40 + 13 * i for i, name in enumerate(LONG_LINES)}
    set_row(f, "activity.by_line", value=lines,
            previous={name: 35 + 11 * i for i, name in enumerate(LONG_LINES)})
    set_row(f, "dibao.by_class", value={"A": 1207, "B": 3380, "C": 5121},
            previous={"A": 1190, "B": 3401, "C": 5000})
    set_row(f, "dibao.persons_by_class", value={"A": 2208, "B": 7077, "C": 10129},
            previous={"A": 2100, "B": 7000, "C": 10000})
    set_row(f, "disability.by_type", value={"视力": 309, "听力": 288, "言语": 41,
                                            "肢体": 1041, "智力": 207, "精神": 198,
                                            "多重": 61},
            previous={"视力": 300, "听力": 280, "言语": 40, "肢体": 1000, "智力": 200,
                      "精神": 190, "多重": 60})
    set_row(f, "hazard.by_type", name="分类别隐患", unit="处",
            value={"消防通道堵塞": 130, "电动车违规充电": 220, "燃气管道老化": 81,
                   "高空坠物隐患": 44, "其他": 12},
            previous={"消防通道堵塞": 120, "电动车违规充电": 200, "燃气管道老化": 70,
                      "高空坠物隐患": 40, "其他": 10})
    template = f.targets[0]
    targets = []
    for i in range(25):
        t = dict(template)
        status = ("完成", "未完成", "未达预期")[i % 3]
        t.update(名称=f"消防安全检查巡查活动第{i + 1}项", 目标="全年开展各类活动不少于120场次",
                 value=1234 + i, unit="场次", status=status, kind="at_least",
                 gap=None if status == "完成" else -100)
        targets.append(t)
    f.targets = targets
    return f


@pytest.mark.parametrize("key", COMMUNITY_KEYS)
def test_community_charts_on_odd_data_have_no_overlapping_labels(key):
    fig = charts.draw(key, odd_facts())
    assert fig is not None, key
    assert_legible(fig)


def odd_street() -> StreetFacts:
    names = ["天运社区", "望江门外社区", "柳岸花园社区", "桂花城社区", "松林苑社区",
             "紫荆花北社区", "翠苑一区社区", "明月桥社区", "景园新村社区", "丰乐桥社区",
             "新塘家园社区", "安澜里社区"]
    comms = []
    for i, name in enumerate(names):
        f = odd_facts()
        f.community = name
        for r in f.indicators:
            if isinstance(r.get("value"), (int, float)) and not isinstance(r["value"], bool):
                r["value"] = r["value"] * (1 + i / 10) if r.get("unit") != "%" else \
                    min(1.0, r["value"] * (0.8 + i / 50))
        comms.append(f)
    totals = [{"id": "employment.reemployment_rate", "name": "登记失业人员再就业率",
               "unit": "%", "better": "↑", "value": 0.45, "level": "street"}]
    return StreetFacts(street="青枫街道", year=2024, as_of="2024-12-31", half_year=False,
                       communities=comms, totals=totals)


@pytest.mark.parametrize("key", STREET_KEYS)
def test_street_charts_of_twelve_long_named_communities_have_no_overlapping_labels(key):
    fig = charts.draw(key, odd_street())
    assert fig is not None, key
    assert_legible(fig)
