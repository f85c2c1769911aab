"""The batch's wiring of a 文种's 附件 (the plan's 参数草案) without a kernel: where the
draft goes, what the manifest records, when a report with a draft is up to date, that an
edited draft is kept and that the index page links it.

The facts are hand-made (as in test_plan.py); the draft's targets below are worked by
hand from rules/plan_rules.yaml: a rate met with room is raised 5 points (72% against
50%: 达到55%以上), a missed one is kept (80% against 90%), 杜绝 met is kept.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shequ_kit import batch, fingerprint, index_page, report, yamltext
from shequ_kit.facts import CommunityFacts
from shequ_kit.targets import evaluate, parse_target

PARAMS = Path(__file__).resolve().parents[1] / "parameters"


def target(indicator: str, text: str, value: Any, previous: Any = None) -> dict:
    return evaluate(parse_target(text, indicator, None), value, previous)


def facts() -> CommunityFacts:
    return CommunityFacts(
        community="天运社区", street="青枫街道", year=2024, period_start="2024-01-01",
        as_of="2024-12-31", half_year=False, profile={"组织类型": "党总支"}, safety=None,
        targets=[target("employment.reemployment_rate", "达到50%以上", 0.72, 0.6),
                 target("hazard.rectified_rate", "达到90%以上", 0.8, 0.9),
                 target("safety.fires", "杜绝火灾事故发生", 0, 0)],
        params={"指导思想": "习近平新时代中国特色社会主义思想", "targets": []})


class Refuses:
    """A personal-data look-up that finds ``word`` (as if it were a resident's name)."""

    def __init__(self, word: str) -> None:
        self.word = word

    def find_in_text(self, text: str) -> list[str]:
        return [self.word] if self.word in text else []

    def find_in_cells(self, cells: Any) -> list[str]:
        return [self.word for c in cells if self.word in str(c)][:1]


def plan_job(out: Path, index: Any = None) -> batch._Job:
    plan = batch._plan_documents(["计划"], None, None, 2024, PARAMS)
    (doc,) = plan.items
    job = batch._document_job(doc, facts(), "天运社区", {"workbook": "x"}, out,
                              out / "data", PARAMS, ("html",), 0.0,
                              index if index is not None else report.NullIndex())
    assert isinstance(job, batch._Job)
    return job


def rendered(ok: bool = True) -> report.Rendered:
    return report.Rendered(kind="community", name="天运社区", ok=ok,
                           reason=None if ok else "笔记本运行出错",
                           files={"ipynb": b"{}", "html": b"<html></html>"} if ok else {})


def test_the_plan_job_writes_its_draft_beside_the_plan_and_lists_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = plan_job(out)
    assert job.key == "community:天运社区|计划|2024"
    folder = out / "2024" / "天运社区"
    assert job.paths["html"] == folder / "天运社区2025年工作计划.html"
    entry = batch._finish(job, rendered(), out)
    draft = folder / "天运社区.2025.草案.yaml"
    assert entry["status"] == batch.DONE
    assert entry["outputs"]["草案"] == "2024/天运社区/天运社区.2025.草案.yaml"
    assert entry["草案_sha256"] == fingerprint.file_digest(draft)
    targets = {t["指标"]: t["目标"] for t in yamltext.load(draft.read_text("utf-8"))["targets"]}
    assert targets == {"employment.reemployment_rate": "达到55%以上",
                       "hazard.rectified_rate": "达到90%以上",
                       "safety.fires": "杜绝火灾事故发生"}
    assert not list(PARAMS.glob("*草案*"))  # never into the parameters folder
    # The index page links it, in Chinese.
    manifest = {"year": 2024, "reports": {job.key: entry}}
    page = index_page.index_html(manifest, out)
    assert ">下年参数草案</a>" in page
    assert "%E8%8D%89%E6%A1%88.yaml" in page  # 草案.yaml, percent-encoded


def test_a_plan_is_up_to_date_only_with_its_draft_there(tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = plan_job(out)
    entry = batch._finish(job, rendered(), out)
    extras = {k: p for k, (p, _) in job.extras.items()}
    assert batch._up_to_date(entry, job.digest, out, job.paths, extras)
    draft = extras["草案"]
    draft.write_text(draft.read_text("utf-8") + "# 社区改过\n", encoding="utf-8")
    assert batch._up_to_date(entry, job.digest, out, job.paths, extras)  # edited: kept as is
    draft.unlink()
    assert not batch._up_to_date(entry, job.digest, out, job.paths, extras)
    # A manifest from before the draft was listed: made again, so the draft is written.
    older = dict(entry, outputs={k: v for k, v in entry["outputs"].items() if k != "草案"})
    assert not batch._up_to_date(older, job.digest, out, job.paths, extras)


def test_an_edited_draft_is_kept_and_a_failed_report_keeps_the_digest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = plan_job(out)
    first = batch._finish(job, rendered(), out)
    draft = out / "2024" / "天运社区" / "天运社区.2025.草案.yaml"
    fresh = draft.read_text("utf-8")
    again = batch._finish(job, rendered(), out, first)  # unchanged: no copy, no warning
    assert sorted(p.name for p in draft.parent.glob("*.yaml")) == [draft.name]
    assert not again.get("warnings")
    failed = batch._finish(job, rendered(ok=False), out, again)
    assert failed["status"] == batch.FAILED and "草案" not in failed["outputs"]
    assert failed["草案_sha256"] == first["草案_sha256"]  # what the kit wrote last
    draft.write_text(fresh.replace("达到55%以上", "达到60%以上"), encoding="utf-8")
    third = batch._finish(job, rendered(), out, failed)
    kept = [p for p in draft.parent.glob("*.yaml") if p != draft]
    assert len(kept) == 1 and kept[0].name.startswith("天运社区.2025.草案.已编辑-")
    assert "达到60%以上" in kept[0].read_text("utf-8")
    assert draft.read_text("utf-8") == fresh
    assert any(kept[0].name in w for w in third["warnings"])


def test_a_draft_the_guard_refuses_is_a_warning_and_not_written(tmp_path: Path) -> None:
    out = tmp_path / "out"
    job = plan_job(out, index=Refuses("达到55%以上"))
    entry = batch._finish(job, rendered(), out)
    assert entry["status"] == batch.DONE  # the plan itself is written
    assert "草案" not in entry["outputs"]
    assert not (out / "2024" / "天运社区" / "天运社区.2025.草案.yaml").exists()
    assert entry["warnings"] and "达到55%以上" not in " ".join(entry["warnings"])


def test_an_unknown_attachment_stops_the_run_naming_the_known(tmp_path: Path) -> None:
    params = tmp_path / "parameters"
    (params / "文种").mkdir(parents=True)
    for f in PARAMS.glob("*.yaml"):
        (params / f.name).write_bytes(f.read_bytes())
    (params / "文种" / "计划.yaml").write_text("附件: [参数草稿]\n", encoding="utf-8")
    with pytest.raises(ValueError, match="附件未定义：参数草稿（可用：参数草案）"):
        batch._plan_documents(["计划"], None, None, 2024, params)
