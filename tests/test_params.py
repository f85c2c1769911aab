"""Parameters files: loading, merging by 指标 + 条件, and errors that name file, entry and
text and say whether the run or only one community fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ_kit.params import (
    BUILTIN_DEFAULTS,
    ParamsError,
    community_targets,
    load_defaults,
    load_params,
)

ROOT = Path(__file__).resolve().parent.parent

DEFAULTS = """\
指导思想: 习近平新时代中国特色社会主义思想
领导机关: 街道党工委、办事处
问题选项: [社区工作人员短缺, 活动阵地不足]
补充问题: [经费保障不足]
问题规则:
  同比变差:
    阈值: 0.1
    启用: true
  志愿者活跃度:
    阈值: 0.5
targets:
  - 指标: employment.reemployment_rate
    目标: 达到50%以上
  - 指标: activity.count
    条件: {条线: 普法}
    目标: 每月至少一次
  - 指标: safety.fires
    目标: 杜绝
  - 指标: dibao.households
    目标: 应保尽保
"""


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def written(targets: list[dict]) -> list[tuple]:
    return [(t["指标"], t["条件"], t["目标"]) for t in targets]


# -- where parameters come from -----------------------------------------------------------

def test_no_folder_gives_builtin_empty_defaults():
    assert load_defaults(None) == BUILTIN_DEFAULTS == {"targets": []}
    assert load_params(None, "天运社区") == {"targets": []}


def test_folder_without_files(tmp_path):
    assert load_defaults(tmp_path) == {"targets": []}
    assert load_params(tmp_path, "天运社区") == {"targets": []}


def test_community_without_a_file_gets_the_defaults(tmp_path):
    write(tmp_path, "defaults.yaml", DEFAULTS)
    merged = load_params(tmp_path, "天运社区")
    assert merged == load_defaults(tmp_path)
    assert merged["领导机关"] == "街道党工委、办事处"
    assert written(merged["targets"]) == [
        ("employment.reemployment_rate", None, "达到50%以上"),
        ("activity.count", {"条线": "普法"}, "每月至少一次"),
        ("safety.fires", None, "杜绝"),
        ("dibao.households", None, "应保尽保"),
    ]


# -- merging ------------------------------------------------------------------------------

def test_targets_merge_by_indicator_and_condition(tmp_path):
    write(tmp_path, "defaults.yaml", DEFAULTS)
    write(tmp_path, "天运社区.yaml", """\
社区名称: 天运社区
targets:
  - 指标: employment.reemployment_rate   # same 指标, no 条件: replaces the street's
    目标: 达到60%
  - 指标: activity.count                 # same 指标, other 条件: a new target
    条件: {条线: 科普}
    目标: 每季度一次
  - 指标: safety.fires                   # removed for this community
    目标: null
  - 指标: info.adopted
    目标: 逐年提高
""")
    merged = load_params(tmp_path, "天运社区")
    # The street's order, the replaced one in place, the removed one gone, new ones last.
    assert written(merged["targets"]) == [
        ("employment.reemployment_rate", None, "达到60%"),
        ("activity.count", {"条线": "普法"}, "每月至少一次"),
        ("dibao.households", None, "应保尽保"),
        ("activity.count", {"条线": "科普"}, "每季度一次"),
        ("info.adopted", None, "逐年提高"),
    ]
    parsed = community_targets(merged)
    assert [(t.indicator, t.kind) for t in parsed] == [
        ("employment.reemployment_rate", "at_least"), ("activity.count", "every_month"),
        ("dibao.households", "qualitative"), ("activity.count", "every_quarter"),
        ("info.adopted", "increase")]
    assert parsed[0].threshold == pytest.approx(0.6)
    assert parsed[0].source == "参数文件 天运社区.yaml targets 第1条（第3行）"
    assert parsed[1].source == "参数文件 defaults.yaml targets 第2条（第14行）"
    # The street's own defaults are untouched by one community's merge.
    assert len(load_params(tmp_path, "龙柏社区")["targets"]) == 4


def test_condition_order_does_not_make_a_new_target(tmp_path):
    write(tmp_path, "defaults.yaml", """\
targets:
  - 指标: activity.count
    条件: {条线: 消防安全, 活动类型: 检查巡查}
    目标: 每季度一次
""")
    write(tmp_path, "天运社区.yaml", """\
targets:
  - 指标: activity.count
    条件: {活动类型: 检查巡查, 条线: 消防安全}
    目标: 每月一次
""")
    merged = load_params(tmp_path, "天运社区")
    assert [t["目标"] for t in merged["targets"]] == ["每月一次"]


def test_lists_replace_additions_append_mappings_merge(tmp_path):
    write(tmp_path, "defaults.yaml", DEFAULTS)
    write(tmp_path, "天运社区.yaml", """\
中心工作: 加快大转型、提升闸弄口
问题选项: [业务水平有待提高]
补充问题: [社区工作人员短缺]
下一步工作打算: [新增一处室外健身场所]
问题规则:
  同比变差:
    阈值: 0.15
  志愿者活跃度: null
落款日期: 2025-01-10
""")
    merged = load_params(tmp_path, "天运社区")
    assert merged["中心工作"] == "加快大转型、提升闸弄口"
    assert merged["指导思想"] == "习近平新时代中国特色社会主义思想"  # kept from the street
    assert merged["问题选项"] == ["业务水平有待提高"]  # a list replaces
    assert merged["补充问题"] == ["经费保障不足", "社区工作人员短缺"]  # 补充问题 is added to
    assert merged["下一步工作打算"] == ["新增一处室外健身场所"]
    # A mapping changes only what it names; a null stays so the rule can be switched off.
    assert merged["问题规则"] == {"同比变差": {"阈值": 0.15, "启用": True},
                               "志愿者活跃度": None}
    assert str(merged["落款日期"]) == "2025-01-10"
    assert len(merged["targets"]) == 4


def test_yaml_numbers_are_read_as_written(tmp_path):
    write(tmp_path, "defaults.yaml", """\
targets:
  - 指标: hazard.rectified_rate
    目标: 100
  - 指标: safety.fires
    目标: 0
""")
    merged = load_defaults(tmp_path)
    assert [t["目标"] for t in merged["targets"]] == ["100", "0"]
    rate, fires = community_targets(merged)
    assert (rate.kind, rate.threshold) == ("at_least", 1.0)  # bare 100 on a rate = 100%
    assert fires.kind == "zero"


# -- errors: defaults.yaml fails the run, a community's file fails that community ---------------

def test_bad_target_in_defaults_names_file_entry_line_and_text(tmp_path):
    write(tmp_path, "defaults.yaml", """\
targets:
  - 指标: employment.reemployment_rate
    目标: 达到50%以上
  - 指标: activity.count
    目标: 100%
""")
    with pytest.raises(ParamsError) as err:
        load_defaults(tmp_path)
    e = err.value
    assert e.from_defaults is True
    assert (e.file, e.entry, e.text) == ("defaults.yaml", 2, "100%")
    assert str(e).startswith("参数文件 defaults.yaml targets 第2条（第4行）：目标“100%”")
    # and every community's load fails the same way: the run cannot go on
    with pytest.raises(ParamsError) as err:
        load_params(tmp_path, "天运社区")
    assert err.value.from_defaults is True


def test_bad_target_in_a_community_file_fails_that_community(tmp_path):
    write(tmp_path, "defaults.yaml", DEFAULTS)
    write(tmp_path, "天运社区.yaml", """\
targets:
  - 指标: activity.participants
    目标: 达到8000人
""")
    with pytest.raises(ParamsError) as err:
        load_params(tmp_path, "天运社区")
    e = err.value
    assert e.from_defaults is False
    assert (e.file, e.entry, e.text, e.community) == ("天运社区.yaml", 1, "达到8000人", "天运社区")
    assert "参数文件 天运社区.yaml targets 第1条（第2行）：目标“达到8000人”" in str(e)
    assert "人次" in str(e)
    # another community is not affected
    assert len(load_params(tmp_path, "龙柏社区")["targets"]) == 4


def test_duplicate_entries_in_one_file(tmp_path):
    write(tmp_path, "defaults.yaml", """\
targets:
  - 指标: activity.count
    条件: {条线: 普法}
    目标: 每月一次
  - 指标: safety.fires
    目标: 杜绝
  - 指标: activity.count
    条件: {条线: 普法}
    目标: 全年12场
""")
    with pytest.raises(ParamsError) as err:
        load_defaults(tmp_path)
    assert err.value.from_defaults is True
    assert err.value.entry == 3
    assert "第3条" in str(err.value) and "与第1条重复" in str(err.value)
    assert "全年12场" in str(err.value)


def test_duplicate_in_a_community_file(tmp_path):
    write(tmp_path, "天运社区.yaml", """\
targets:
  - 指标: safety.fires
    目标: 杜绝
  - 指标: safety.fires
    目标: 无
""")
    with pytest.raises(ParamsError, match="第2条.*与第1条重复") as err:
        load_params(tmp_path, "天运社区")
    assert err.value.from_defaults is False


def test_unknown_indicator(tmp_path):
    write(tmp_path, "defaults.yaml", """\
targets:
  - 指标: activity.counts
    目标: 24场
""")
    with pytest.raises(ParamsError) as err:
        load_defaults(tmp_path)
    assert "参数文件 defaults.yaml targets 第1条" in str(err.value)
    assert "未知的指标“activity.counts”" in str(err.value)


def test_yaml_syntax_error_names_the_file_and_line(tmp_path):
    write(tmp_path, "天运社区.yaml", "targets:\n  - 指标: safety.fires\n   目标: 杜绝\n")
    with pytest.raises(ParamsError) as err:
        load_params(tmp_path, "天运社区")
    message = str(err.value)
    assert message.startswith("参数文件 天运社区.yaml")
    assert "不是有效的YAML" in message and "第3行" in message
    assert err.value.from_defaults is False


def test_removing_a_target_the_street_does_not_have(tmp_path):
    write(tmp_path, "defaults.yaml", DEFAULTS)
    write(tmp_path, "天运社区.yaml", """\
targets:
  - 指标: activity.count
    条件: {条线: 科普}
    目标: null
""")
    with pytest.raises(ParamsError, match=r"要删除的目标（activity.count，条件 条线=科普）在 defaults.yaml 中不存在") as err:
        load_params(tmp_path, "天运社区")
    assert err.value.entry == 1


@pytest.mark.parametrize(("text", "says"), [
    ("targets:\n  - 指标: safety.fires\n", "缺少“目标”"),
    ("targets:\n  - 目标: 杜绝\n", "缺少“指标”"),
    ("targets:\n  - 指标: safety.fires\n    目票: 杜绝\n", "不认识的项“目票”"),
    ("targets:\n  - safety.fires 杜绝\n", "指标"),
    ("targets: 杜绝\n", "应是一个列表"),
    ("工作目标:\n  - 指标: safety.fires\n    目标: 杜绝\n", "应写作“targets”"),
    ("- 指标: safety.fires\n", "键: 值"),
    ("社区名称: 龙柏社区\n", "与文件名“天运社区”不一致"),
    ("targets:\n  - 指标: activity.count\n    条件: {街道: 闸弄口}\n    目标: 12场\n", "条件“街道”"),
])
def test_malformed_community_files(tmp_path, text, says):
    write(tmp_path, "天运社区.yaml", text)
    with pytest.raises(ParamsError, match=says) as err:
        load_params(tmp_path, "天运社区")
    assert str(err.value).startswith("参数文件 天运社区.yaml")
    assert err.value.from_defaults is False


def test_null_target_in_defaults_is_an_error(tmp_path):
    write(tmp_path, "defaults.yaml", "targets:\n  - 指标: safety.fires\n    目标: null\n")
    with pytest.raises(ParamsError, match="目标为空") as err:
        load_defaults(tmp_path)
    assert err.value.from_defaults is True


# -- the street's own defaults.yaml ---------------------------------------------------------

def test_project_defaults_load_and_every_target_reads():
    merged = load_defaults(ROOT / "parameters")
    assert merged["领导机关"] == "街道党工委、办事处"
    assert merged["指导思想"]
    parsed = {(t.indicator, tuple(sorted((t.condition or {}).items()))): t
              for t in community_targets(merged)}
    assert len(parsed) == len(merged["targets"]) >= 8
    assert parsed[("employment.reemployment_rate", ())].threshold == pytest.approx(0.5)
    assert parsed[("hazard.rectified_rate", ())].threshold == pytest.approx(1.0)
    assert parsed[("activity.count", (("条线", "普法"),))].granularity == "month"
    assert parsed[("safety.fires", ())].kind == "zero"
    assert parsed[("volunteer.registration_rate", ())].kind == "pp_increase"
    assert parsed[("info.adopted", ())].kind == "increase"
    assert parsed[("dibao.households", ())].kind == "qualitative"


@pytest.mark.parametrize("line, shown", [
    ("特色亮点: !!python/object/apply:os.system ['echo x']", "!!python/object/apply:os.system"),
    ("荣誉: !include other.yaml", "!include"),
])
def test_an_unsafe_yaml_tag_is_refused_as_a_tag_not_as_broken_yaml(tmp_path, line, shown):
    write(tmp_path, "天运社区.yaml", f"社区名称: 天运社区\n{line}\n")
    with pytest.raises(ParamsError) as err:
        load_params(tmp_path, "天运社区")
    message = str(err.value)
    assert message.startswith("参数文件 天运社区.yaml")
    assert f"不允许的YAML标签“{shown}”" in message and "第2行" in message
    assert "不是有效的YAML" not in message


@pytest.mark.parametrize("text, said", [
    ("特色亮點:\n  - 成立志愿服务队\n", "不认识的键“特色亮點”，是不是“特色亮点”？"),
    ("荣誉称号:\n  - 市级绿色社区\n", "不认识的键“荣誉称号”，是不是“荣誉”？"),
    ("问题上限: 很多\n", "“问题上限”应是整数"),
    ("问题上限: -1\n", "“问题上限”不能小于0"),
    ("特色亮点:\n  甲: 乙\n", "“特色亮点”应是一条文字，或文字的列表"),
])
def test_unknown_keys_and_wrong_types_are_refused_with_a_hint(tmp_path, text, said):
    # A key that is silently dropped takes a whole section of the summary with it.
    write(tmp_path, "天运社区.yaml", "社区名称: 天运社区\n" + text)
    with pytest.raises(ParamsError) as err:
        load_params(tmp_path, "天运社区")
    assert str(err.value).startswith("参数文件 天运社区.yaml")
    assert said in str(err.value)
    assert err.value.from_defaults is False


def test_every_shipped_parameters_file_passes_the_schema():
    root = Path(__file__).resolve().parents[1] / "parameters"
    for path in sorted(root.glob("*.yaml")):
        if path.name != "defaults.yaml":
            load_params(root, path.stem)
    assert load_defaults(root)["targets"]


def test_checking_a_parameters_file_does_not_compile_the_iri_grammar():
    """jsonschema builds an RFC 3987 parser at import when rfc3987-syntax is installed
    (1.7 s per process); our schema has no ``format`` and must not pay for it, while a
    later direct import of the grammar still works."""
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from shequ_kit.params import load_params\n"
        "load_params('parameters', '天运社区')\n"
        "assert 'jsonschema' in sys.modules, 'the schema was not checked'\n"
        "assert 'rfc3987_syntax' not in sys.modules, 'the IRI grammar was compiled'\n"
        "import importlib.util\n"
        "print(importlib.util.find_spec('rfc3987_syntax') is not None)\n"
    )
    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
