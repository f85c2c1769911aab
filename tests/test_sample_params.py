"""The sample communities' parameters files load, parse and read like a plan."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from shequ_kit.catalogue import CATALOGUE
from shequ_kit.params import community_targets, load_params

PARAMS = Path(__file__).resolve().parents[1] / "parameters"
SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample" / "2024"
NAMES = sorted(p.stem for p in SAMPLE.glob("*.xlsx"))


def test_every_sample_community_has_a_file() -> None:
    assert len(NAMES) == 12
    assert sorted(p.stem for p in PARAMS.glob("*社区.yaml")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_file_loads_with_targets_on_catalogue_indicators(name: str) -> None:
    own = yaml.safe_load((PARAMS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert own["社区名称"] == name
    assert isinstance(own["落款日期"], date) and own["落款日期"].year == 2025
    assert own["下一步工作打算"] and all(isinstance(s, str) and s for s in own["下一步工作打算"])
    assert own["特色亮点"]
    merged = load_params(PARAMS, name)
    targets = community_targets(merged)
    for entry in own["targets"]:
        assert entry["指标"] in CATALOGUE
        assert any(t.indicator == entry["指标"] and t.text == entry["目标"] for t in targets)


def test_tianyun_is_the_richest() -> None:
    def size(name: str) -> int:
        own = yaml.safe_load((PARAMS / f"{name}.yaml").read_text(encoding="utf-8"))
        return sum(len(v) for v in own.values() if isinstance(v, list))

    sizes = {n: size(n) for n in NAMES}
    assert max(sizes, key=sizes.get) == "天运社区"
    own = yaml.safe_load((PARAMS / "天运社区.yaml").read_text(encoding="utf-8"))
    for key in ("中心工作", "荣誉", "共驻共建", "补充问题"):
        assert own[key]
