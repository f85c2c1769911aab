"""文种 as data: the declarations load, a street's file overrides or adds one, the outline
decides the order and numbering of the sections, and a new 文种 needs no Python.

The facts come from a hand-made ledger (tests/test_engine_helpers.py): 3 党建 activities
and 2 hazards, one of them rectified, as of 31 December 2024.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shequ_kit import doctypes
from shequ_kit.assemble import build_facts
from shequ_kit.narrative import build_document
from tests.test_engine_helpers import activity, book

HAZARDS = [
    {"发现日期": "2024-03-01", "隐患类别": "消防", "整改日期": "2024-03-05"},
    {"发现日期": "2024-05-01", "隐患类别": "消防"},
]


def facts(params: dict | None = None):
    b = book(活动台账=[activity("2024-01-10"), activity("2024-02-10"), activity("2024-03-10")],
             安全隐患台账=HAZARDS)
    return build_facts(b, None, {"targets": [{"指标": "hazard.rectified_rate", "目标": "100%"}],
                                 **(params or {})})


def write(params: Path, name: str, text: str) -> Path:
    folder = params / doctypes.OVERRIDE_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_doctypes_load_with_their_outline() -> None:
    assert {"总结", "专项", "计划"} <= set(doctypes.doctypes())
    summary = doctypes.load_doctype("总结")
    assert [s["类型"] for s in summary.sections] == [
        "摘要", "开头语", "基本情况", "主要工作", "目标完成情况", "存在问题", "下一步", "结束语",
        "数据说明"]
    special = doctypes.load_doctype("专项")
    assert special.needs_line
    assert special.get("条线指标")["就业社保"] == ["employment.*"]
    assert doctypes.load_doctype("计划").title == "{社区}{下年}年工作计划"


def test_the_summary_is_the_summary_declaration_in_its_order() -> None:
    f = facts()
    doc = build_document(f)
    assert doc.title == f.title == "天运社区2024年度工作总结"
    assert [s.key for s in doc.sections] == [
        "opening", "profile", "work", "targets", "problems", "next_steps", "closing", "notes"]
    assert [s.heading[:2] for s in doc.sections if s.heading and s.key != "notes"] == [
        "一、", "二、", "三、", "四、", "五、"]


def test_a_street_file_overrides_keys_and_keeps_the_rest(tmp_path: Path) -> None:
    write(tmp_path, "总结", '标题: "{社区}{标题词}工作总结（送审稿）"\n')
    dt = doctypes.load_doctype("总结", tmp_path)
    assert dt.source == tmp_path / "文种" / "总结.yaml"
    assert len(dt.sections) == 9  # the outline is the shipped one
    doc = build_document(facts(), params_dir=tmp_path)
    assert doc.title == "天运社区2024年度工作总结（送审稿）"
    assert doc.cover["标题"] == doc.title
    # Without the street's folder the shipped title stands.
    assert build_document(facts()).title == "天运社区2024年度工作总结"


def test_moving_a_section_renumbers_the_headings(tmp_path: Path) -> None:
    write(tmp_path, "总结", "章节: [开头语, 目标完成情况, 基本情况, 结束语]\n")
    doc = build_document(facts(), params_dir=tmp_path)
    assert [s.key for s in doc.sections] == ["opening", "targets", "profile", "closing"]
    assert doc.section("targets").heading == "一、年度目标完成情况"
    assert doc.section("profile").heading == "二、社区基本情况"


def test_a_new_doctype_is_a_yaml_file_only(tmp_path: Path) -> None:
    write(tmp_path, "工作简报", """
名称: 工作简报
说明: 每季度报街道的简报
标题: "{社区}{期间}工作简报"
期间: [year, quarter]
章节:
  - {类型: 主要工作, 键: 工作}
  - {类型: 目标完成情况, 键: 目标}
  - 落款
""")
    assert "工作简报" in doctypes.doctypes(tmp_path)
    assert "工作简报" not in doctypes.doctypes()
    f = facts()
    doc = doctypes.build("工作简报", f, params_dir=tmp_path)
    assert doc.title == "天运社区2024年工作简报"
    assert [s.key for s in doc.sections] == ["工作", "目标", "signature"]
    assert doc.parts == {"工作": ["工作"], "目标": ["目标"], "落款": ["signature"]}
    assert doc.sections[0].heading == "一、主要工作及成效"
    assert doc.sections[1].heading == "二、年度目标完成情况"
    text = doc.text()
    # 2 hazards found, 1 rectified: 50.0%, against a target of 100%.
    assert "排查各类安全隐患2处" in text and "已整改1处" in text and "整改率50.0%" in text
    assert "未完成" in doc.sections[1].text()
    assert text.endswith("2024年12月31日")  # the 落款 as the summary signs
    assert "开头语" not in text and "社区基本情况" not in text


def test_an_unknown_section_kind_or_key_is_refused_by_name(tmp_path: Path) -> None:
    write(tmp_path, "坏文种", "名称: 坏文种\n标题: x\n章节: [开头语, 工作亮点]\n")
    with pytest.raises(doctypes.DocTypeError, match="工作亮点"):
        doctypes.build("坏文种", facts(), params_dir=tmp_path)
    write(tmp_path, "错键", "名称: 错键\n标题: x\n章节: [开头语]\n落欵: 居委会\n")
    with pytest.raises(doctypes.DocTypeError, match="落欵.*落款"):
        doctypes.load_doctype("错键", tmp_path)
    with pytest.raises(doctypes.DocTypeError, match="是不是.*“专项”"):
        doctypes.load_doctype("专项总结")


def test_the_plan_waits_for_its_section_kinds() -> None:
    missing = doctypes.missing_kinds(doctypes.load_doctype("计划"))
    try:
        import shequ_kit.plan  # noqa: F401
    except ImportError:
        assert missing == ["计划开头语", "指导思想", "工作目标", "主要任务", "保障措施",
                           "计划结束语", "目标对照表"]
    else:
        assert missing == []


def test_the_generated_notebook_follows_the_outline() -> None:
    import nbformat

    from shequ_kit.report import doctype_notebook

    dt = doctypes.load_doctype("专项")
    text = doctype_notebook(dt)
    assert text == doctype_notebook(dt)  # the same outline, the same notebook (digest)
    nb = nbformat.reads(text, as_version=4)
    markdown = [c for c in nb.cells if c.cell_type == "markdown"]
    assert markdown and all("no-export" in c.metadata.get("tags", []) for c in markdown)
    shown = [c.source for c in nb.cells if c.source.startswith("show_part(")]
    assert shown == [f"show_part(doc, {s['键']!r}, facts)" for s in dt.sections]
    params = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    assert 'doc_type = "专项"' in params.source and "period = None" in params.source


def test_figures_looked_up_before_a_build_are_not_claimed_by_it() -> None:
    """A batch builds several documents in one process (the 底稿 of each): a look-up made
    before (a plan's draft reads every target's figure) must not lend its figures to the
    next document's 底稿."""
    from shequ_kit import sources

    f = facts()
    clean = [(src["text"], src["id"]) for _, _, src in sources.figures(doctypes.build("总结", f))]
    for row in f.indicators:  # what writing the plan's draft does
        f.row(row["id"], row.get("condition"))
    after = [(src["text"], src["id"]) for _, _, src in sources.figures(doctypes.build("总结", f))]
    assert after == clean
