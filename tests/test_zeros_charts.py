"""Charts of an empty ledger: no panel of 0 falling by 100%, no chart placed for it.
Facts from the hand-made fixture (tests/fixtures/narrative_tianyun.json: 注册志愿者 320,
志愿服务 1250人次, 3762.5小时; last year 300, 1100, 3300)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from shequ_kit import charts
from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import build_document

FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"
BASE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def facts() -> CommunityFacts:
    return CommunityFacts.from_dict(copy.deepcopy(BASE))


def zero(f: CommunityFacts, *ids: str) -> None:
    """The figures of a header-only 志愿服务记录: 0 this year, last year's kept."""
    for r in f.indicators:
        if r["id"] in ids:
            r["value"] = 0


def test_volunteer_chart_of_an_empty_service_ledger_is_not_drawn_nor_placed() -> None:
    f = facts()
    assert "volunteer_hours" in build_document(f).chart_keys()
    zero(f, "volunteer.hours", "volunteer.service_times")
    assert charts.draw("volunteer_hours", f) is None
    assert "volunteer_hours" not in build_document(f).chart_keys()


def test_a_zero_panel_is_left_out_of_the_volunteer_chart() -> None:
    f = facts()
    zero(f, "volunteer.service_times")
    fig = charts.draw("volunteer_hours", f)
    titles = [ax.get_title() for ax in fig.axes]
    # 320/300 − 1 = 6.7%; 3762.5/3300 − 1 = 14.0%; the 0人次 panel is gone
    assert titles == ["注册志愿者\n同比增长6.7%", "志愿服务时长\n同比增长14.0%"]
    assert not any("100" in t for t in titles)
