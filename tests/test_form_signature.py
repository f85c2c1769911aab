"""The 落款 and T1's subject name a real body (report.md T1/T12): {社区}党{委|总支|支部}、
居委会 by 基本情况's 组织类型, else the parameters' 落款单位 or 党组织名称, else the 居委会
alone, never a made-up "党组织"; the date is the workbook's 填报日期 when it is after the
as-of date, else the parameters' 落款日期, else the as-of date. Facts are the hand-made
fixture of tests/fixtures/narrative_tianyun.json (天运社区, 2024, 党支部, 落款日期
2025-01-10, as of 2024-12-31)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from shequ_kit.facts import CommunityFacts
from shequ_kit.narrative import Signature, build_document

FIXTURE = Path(__file__).parent / "fixtures" / "narrative_tianyun.json"
BASE = json.loads(FIXTURE.read_text(encoding="utf-8"))


def facts(org: str | None = "党支部", **params) -> CommunityFacts:
    data = copy.deepcopy(BASE)
    if org is None:
        data["profile"].pop("组织类型", None)
    else:
        data["profile"]["组织类型"] = org
    data["params"].update(params)
    data["params"] = {k: v for k, v in data["params"].items() if v is not None}
    return CommunityFacts.from_dict(data)


def signature(f: CommunityFacts) -> list[str]:
    closing = build_document(f).section("closing")
    return next(b for b in closing.blocks if isinstance(b, Signature)).lines


def opening(f: CommunityFacts) -> str:
    return build_document(f).section("opening").text()


@pytest.mark.parametrize("org, body", [("党委", "天运社区党委、居委会"),
                                       ("总支", "天运社区党总支、居委会"),
                                       ("党支部", "天运社区党支部、居委会")])
def test_the_body_follows_the_profiles_organisation_type(org, body):
    f = facts(org, 落款单位="青枫街道天运社区")  # the profile wins over the parameter
    assert signature(f)[0] == body
    assert opening(f).startswith(f"2024年，{body}坚持以")


def test_without_a_type_the_parameters_name_the_body():
    f = facts(None, 落款单位="中共天运社区委员会、天运社区居民委员会")
    assert signature(f)[0] == "中共天运社区委员会、天运社区居民委员会"
    assert opening(f).startswith("2024年，中共天运社区委员会、天运社区居民委员会坚持以")
    f = facts(None, 党组织名称="中共天运社区支部委员会")
    assert signature(f)[0] == "中共天运社区支部委员会、居委会"


def test_without_a_type_or_a_parameter_the_residents_committee_signs_alone():
    f = facts(None)
    text = build_document(f).text()
    assert signature(f)[0] == "天运社区居委会"
    assert opening(f).startswith("2024年，天运社区居委会坚持以")
    assert "党组织" not in text.replace("增强党组织凝聚力", "")  # a caption's common noun
    # 基本情况: 3 branches and 215 members without naming a body that is not known
    assert "；社区下设3个党支部，共有党员215名；" in text


def test_the_filing_date_after_the_as_of_date_dates_the_signature():
    f = facts()
    f.profile["填报日期"] = "2025-01-08"  # after 2024-12-31: wins over 落款日期 2025-01-10
    assert signature(f)[1] == "2025年1月8日"


def test_a_filing_date_not_after_the_as_of_date_gives_way_to_the_parameter():
    f = facts()
    f.profile["填报日期"] = "2024-12-31"
    assert signature(f)[1] == "2025年1月10日"
    f = facts(落款日期=None)
    f.profile["填报日期"] = "2024-12-20"
    assert signature(f)[1] == "2024年12月31日"


def test_the_signature_is_one_block_of_its_own():
    html = build_document(facts()).section("closing").html()
    assert ('<div class="sk-signature"><p>天运社区党支部、居委会</p>'
            '<p>2025年1月10日</p></div>') in html


def test_a_signing_date_outside_the_period_after_the_as_of_date_is_not_used():
    # The parameters' annual 落款日期 (2025-01-10) must not sign a half-year summary as of
    # 30 June 2024; nor a date before the period ends sign an annual one.
    f = facts()
    f.as_of, f.half_year = "2024-06-30", True
    assert signature(f)[1] == "2024年6月30日"
    f = facts(落款日期="2024-11-30")
    assert signature(f)[1] == "2024年12月31日"
    f = facts(落款日期="2025-03-20")  # 79 days after: still this summary's signing
    assert signature(f)[1] == "2025年3月20日"
