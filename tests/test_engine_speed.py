"""A street of twelve communities with full-size ledgers computes well within a second per
community (every indicator, last year's window and three 条件)."""

from __future__ import annotations

import time
from datetime import date, timedelta

from shequ_kit.engine import facts_rows, street_totals
from shequ_kit.schema import ENUMS
from tests.test_engine_helpers import book


def big_book(year: int, seed: int):
    day0 = date(year - 1, 10, 1)

    def day(i: int) -> str:
        return (day0 + timedelta(days=(i * 7 + seed) % 450)).isoformat()

    def enum(name: str, i: int) -> str:
        values = ENUMS[name].values
        return values[(i + seed) % len(values)]

    def pid(i: int) -> str:
        return f"1101051980{seed:02d}{i:05d}"[:17] + "X"

    n = 400
    return book(
        year,
        活动台账=[{"日期": day(i), "条线": enum("条线", i), "活动名称": "活动",
                  "活动类型": enum("活动类型", i), "参与人次": i % 90, "志愿者人次": i % 7,
                  "面向居民": i % 11 != 0} for i in range(n)],
        志愿者名册=[{"志愿者编号": f"V{i}", "姓名": "某", "注册日期": day(i)} for i in range(n)],
        志愿服务记录=[{"日期": day(i), "志愿者编号": f"V{i % 300}", "服务时长(小时)": 1 + i % 5}
                      for i in range(n)],
        低保台账=[{"户主姓名": "某", "身份证号": pid(i), "类别": enum("低保类别", i),
                   "保障人数": 1 + i % 4, "月保障金(元)": 300.0 + i, "纳入日期": day(i),
                   "退出日期": day(i + 40) if i % 3 == 0 else None} for i in range(n)],
        残疾人台账=[{"姓名": "某", "身份证号": pid(i), "残疾类别": enum("残疾类别", i),
                     "残疾等级": enum("残疾等级", i), "是否持证": i % 4 != 0,
                     "走访服务次数": i % 5} for i in range(n)],
        失业人员台账=[{"姓名": "某", "身份证号": pid(i % 300), "登记失业日期": day(i),
                       "就业困难人员": i % 3 == 0, "参加培训": i % 2 == 0,
                       "再就业日期": day(i + 20) if i % 2 else None,
                       "就业形式": enum("就业形式", i) if i % 2 else None} for i in range(n)],
        矛盾纠纷台账=[{"受理日期": day(i), "纠纷类型": enum("纠纷类型", i),
                       "调解结果": enum("调解结果", i)} for i in range(n)],
        安全隐患台账=[{"发现日期": day(i), "隐患类别": enum("隐患类别", i),
                       "隐患等级": enum("隐患等级", i), "整改期限": day(i + 3),
                       "整改日期": day(i + 2) if i % 4 else None} for i in range(n)],
        帮扶台账=[{"日期": day(i), "对象类别": enum("对象类别", i),
                   "帮扶形式": enum("帮扶形式", i), "户次": 1 + i % 3, "金额(元)": 100.0}
                  for i in range(n)],
        信息报送台账=[{"报送日期": day(i), "标题": "信息", "是否录用": i % 2 == 0}
                      for i in range(n)],
        safety={"火灾事故(起)": 0},
    )


def test_twelve_communities_well_under_a_second_each():
    pairs = [(big_book(2024, s), big_book(2023, s)) for s in range(12)]
    conditions = (None, {"条线": "普法"}, {"条线": "消防安全", "活动类型": "检查巡查"})
    start = time.perf_counter()
    rows = [r for cur, prev in pairs for r in facts_rows(cur, prev, conditions)]
    street_totals(rows, "闸弄口街道", 2024, ["2024-01-01", "2024-12-31"])
    per_community = (time.perf_counter() - start) / 12
    assert per_community < 0.5, f"{per_community:.3f} s per community"
    assert any(r["id"] == "activity.count" and r["value"] for r in rows)
