"""The catalogue holds every id of indicators.md, declared consistently."""

from __future__ import annotations

import pytest

from shequ_kit.catalogue import (
    CATALOGUE,
    KEY_VALUE_SHEETS,
    RATE,
    enum_columns,
    indicator,
    round_half_up,
)
from shequ_kit.schema import SHEETS_BY_NAME

# The ids of the contract's tables, in its order (indicators.md).
CONTRACT_IDS = """
profile.households profile.population profile.floating_share profile.elderly_share
profile.party_members profile.density profile.residents_per_worker profile.workers_per_10k
activity.count activity.participants activity.avg_participants activity.per_100_residents
activity.months_covered activity.volunteer_visits activity.materials activity.by_line
activity.by_type activity.by_month
volunteer.registered volunteer.new volunteer.registration_rate volunteer.service_times
volunteer.hours volunteer.hours_per_volunteer volunteer.active_rate
dibao.households dibao.persons dibao.by_class dibao.persons_by_class dibao.new dibao.exited
dibao.monthly_amount dibao.period_amount dibao.coverage_rate
disability.total disability.by_type disability.by_grade disability.severe
disability.certified_rate disability.subsidy disability.visits disability.visits_per_person
employment.registered_in_year employment.unemployed_end employment.reemployed
employment.reemployment_rate employment.hard_reemployed employment.hard_reemployment_rate
employment.training_rate employment.by_form
dispute.accepted dispute.resolved dispute.transferred dispute.success_rate dispute.by_type
hazard.found hazard.rectified hazard.rectified_rate hazard.ontime_rate hazard.avg_days
hazard.major hazard.carried_over hazard.by_type
safety.fires safety.criminal_cases safety.preventable_cases safety.public_order_cases
safety.petitions safety.mass_incidents safety.accidents safety.major_criminal_cases
assistance.visits assistance.amount assistance.by_group donation.amount donation.donors
info.submitted info.adopted info.adoption_rate
""".split()


def test_every_contract_id_in_contract_order():
    assert list(CATALOGUE) == CONTRACT_IDS


@pytest.mark.parametrize(("iid", "name", "unit", "better", "kind"), [
    ("employment.reemployment_rate", "登记失业人员再就业率", "%", "↑", "rate"),
    ("employment.unemployed_end", "期末登记失业人员", "人", "↓", "count"),
    ("profile.residents_per_worker", "每名社区工作者服务居民数", "人", "↓", "ratio"),
    ("profile.density", "人口密度", "人/平方公里", "—", "ratio"),
    ("hazard.avg_days", "平均整改天数", "天", "↓", "ratio"),
    ("safety.fires", "火灾事故", "起", "↓", "value"),
    ("safety.petitions", "信访", "件", "↓", "value"),
    ("dibao.period_amount", "期内发放低保金（估算）", "元", "—", "amount"),
    ("employment.by_form", "分就业形式", "人", "—", "breakdown"),
    ("activity.count", "开展活动", "场次", "↑", "count"),
])
def test_declarations(iid, name, unit, better, kind):
    ind = CATALOGUE[iid]
    assert (ind.name, ind.unit, ind.better, ind.kind) == (name, unit, better, kind)


def test_declarations_are_consistent():
    for ind in CATALOGUE.values():
        assert ind.better in ("↑", "↓", "—"), ind.id
        assert ind.kind in ("count", "amount", "rate", "ratio", "breakdown", "value"), ind.id
        assert (ind.unit == "%") == (ind.kind == RATE), ind.id
        breakdown = "by_" in ind.id.split(".")[1]  # by_line, persons_by_class …
        assert (ind.kind == "breakdown") == breakdown, ind.id
        assert ind.sheet in SHEETS_BY_NAME, ind.id
        if ind.sheet not in KEY_VALUE_SHEETS:
            declared = {c.name for c in SHEETS_BY_NAME[ind.sheet].columns}
            for need in ind.needs:
                for option in (need if isinstance(need, tuple) else (need,)):
                    assert option in declared, (ind.id, option)
        assert set(ind.filters) <= set(enum_columns(ind.sheet)), ind.id


def test_activity_filters_and_scales():
    assert {"条线", "活动类型"} <= set(CATALOGUE["activity.count"].filters)
    assert CATALOGUE["profile.population"].filters == ()
    assert CATALOGUE["activity.per_100_residents"].scale == 100
    assert CATALOGUE["profile.workers_per_10k"].scale == 10000
    assert CATALOGUE["hazard.avg_days"].digits == 1
    assert CATALOGUE["activity.months_covered"].total is False


def test_unknown_id_is_a_chinese_error():
    with pytest.raises(ValueError, match="未知的指标"):
        indicator("activity.cuont")


def test_round_half_up():
    assert round_half_up(2.25, 1) == 2.3  # 2.25 is exact in binary; round() gives 2.2
    assert round_half_up(10.65, 1) == 10.7  # 10.65 is 10.6499… in binary; the genre says 10.7
    assert round_half_up(-0.05, 1) == -0.1
