"""Parameters per street and a district's layout (issue 8, class 1).

Community names repeat across the streets of a district. A community is (街道, 社区名称):
a parameters file naming another street is not applied to it, a district's folders
``<年>/<街道>/<社区名称>.xlsx`` and ``parameters/<街道>/…`` keep namesakes apart, and a
street with one community gets no overview unless asked. The workbooks are the sample
generator's 天运社区 with its 所属街道 cell rewritten; the parameters are written here.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

from shequ_kit import assemble, fingerprint, reader, report, sample
from shequ_kit.batch import DONE, run_batch
from shequ_kit.model import LedgerError

YEAR = 2024
NAME = "天运社区"
EAST, WEST = "东湖街道", "西山街道"
DEFAULT_CENTRE = "聚焦民生实事"


@pytest.fixture(scope="module")
def tianyun(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample's 天运社区 workbook for 2024 (所属街道 青枫街道)."""
    folder = tmp_path_factory.mktemp("gen")
    sample.generate(folder, communities=1, years=(YEAR,), seed=5)
    return folder / str(YEAR) / f"{NAME}.xlsx"


def place(source: Path, dest: Path, street: str) -> Path:
    """A copy of ``source`` at ``dest`` whose 基本情况 says 所属街道 = ``street``."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    wb = load_workbook(source)
    ws = wb["基本情况"]
    for row in ws.iter_rows(max_row=10):
        if row[0].value == "所属街道":
            row[1].value = street
    wb.save(dest)
    return dest


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def district_params(root: Path) -> Path:
    """Shared defaults, 东湖街道's own defaults, and one 天运社区 file per street."""
    params = root / "parameters"
    write(params / "defaults.yaml", f"中心工作: {DEFAULT_CENTRE}\n领导机关: 街道党工委、办事处\n")
    write(params / EAST / "defaults.yaml", "中心工作: 东湖中心工作\n")
    write(params / EAST / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: {EAST}\n特色亮点:\n  - 东湖亮点甲\n")
    write(params / WEST / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: {WEST}\n中心工作: 西山中心工作\n特色亮点:\n  - 西山亮点乙\n")
    return params


def district_data(root: Path, tianyun: Path) -> Path:
    data = root / "data"
    place(tianyun, data / str(YEAR) / EAST / f"{NAME}.xlsx", EAST)
    place(tianyun, data / str(YEAR) / WEST / f"{NAME}.xlsx", WEST)
    return data


# -- facts (no kernel) ------------------------------------------------------------------

def test_namesakes_in_two_streets_each_get_their_own_parameters(tianyun: Path,
                                                                tmp_path: Path) -> None:
    data = district_data(tmp_path, tianyun)
    facts = assemble.year_facts(data, YEAR, district_params(tmp_path))
    assert not facts.failures
    assert sorted(facts.communities) == [f"{EAST}/{NAME}", f"{WEST}/{NAME}"]
    east = facts.communities[f"{EAST}/{NAME}"]
    west = facts.communities[f"{WEST}/{NAME}"]
    assert (east.street, west.street) == (EAST, WEST)
    # 东湖: its street's defaults.yaml over the shared one, then its own file.
    assert east.params["中心工作"] == "东湖中心工作"
    assert east.params["特色亮点"] == ["东湖亮点甲"]
    assert east.params["领导机关"] == "街道党工委、办事处"
    # 西山: no street defaults, its own file.
    assert west.params["中心工作"] == "西山中心工作"
    assert west.params["特色亮点"] == ["西山亮点乙"]
    # One overview per street, each of its own community.
    assert sorted(facts.streets) == [EAST, WEST]
    assert [c.street for c in facts.streets[WEST].communities] == [WEST]
    assert not [p for p in facts.run_problems if p.kind == "params_street"]


def test_flat_file_naming_another_street_is_not_applied(tianyun: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / f"{NAME}.xlsx", "青枫街道")
    params = tmp_path / "parameters"
    write(params / "defaults.yaml", f"中心工作: {DEFAULT_CENTRE}\n")
    write(params / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: 闸弄口街道\n中心工作: 加快大转型、提升青枫\n"
          "特色亮点:\n  - 别的社区的亮点\n荣誉:\n  - 别的社区的荣誉\n")
    facts = assemble.year_facts(data, YEAR, params)
    cf = facts.communities[NAME]
    assert cf.params["中心工作"] == DEFAULT_CENTRE
    assert "特色亮点" not in cf.params and "荣誉" not in cf.params
    notes = [p for p in facts.problems[NAME] if p.kind == "params_street"]
    assert len(notes) == 1
    assert notes[0].severity == "警告"
    for word in (f"{NAME}.yaml", "闸弄口街道", "青枫街道"):
        assert word in notes[0].message
    assert notes[0] in facts.run_problems


def test_flat_file_naming_the_same_street_is_applied(tianyun: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / f"{NAME}.xlsx", "青枫街道")
    params = tmp_path / "parameters"
    write(params / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: 青枫街道\n中心工作: 加快大转型、提升青枫\n")
    facts = assemble.year_facts(data, YEAR, params)
    assert facts.communities[NAME].params["中心工作"] == "加快大转型、提升青枫"
    assert not [p for p in facts.problems[NAME] if p.kind == "params_street"]


def test_flat_namesakes_of_two_streets_are_both_read(tianyun: Path, tmp_path: Path) -> None:
    """Two flat workbooks saying 天运社区 of two streets are two communities, not one
    community sent twice."""
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / f"{NAME}.xlsx", EAST)
    place(tianyun, data / str(YEAR) / f"{NAME}（西山）.xlsx", WEST)
    params = tmp_path / "parameters"
    write(params / f"{NAME}.yaml", f"社区名称: {NAME}\n所属街道: {WEST}\n特色亮点:\n  - 西山亮点乙\n")
    facts = assemble.year_facts(data, YEAR, params)
    assert not facts.failures
    assert sorted(facts.communities) == [f"{EAST}/{NAME}", f"{WEST}/{NAME}"]
    assert facts.communities[f"{WEST}/{NAME}"].params["特色亮点"] == ["西山亮点乙"]
    assert "特色亮点" not in facts.communities[f"{EAST}/{NAME}"].params
    notes = [p.message for p in facts.problems[f"{EAST}/{NAME}"] if p.kind == "params_street"]
    assert len(notes) == 1 and EAST in notes[0] and WEST in notes[0]


def test_a_community_is_asked_for_by_street_and_name(tianyun: Path, tmp_path: Path) -> None:
    data = district_data(tmp_path, tianyun)
    params = district_params(tmp_path)
    one = assemble.year_facts(data, YEAR, params, communities=[f"{WEST}/{NAME}"])
    assert list(one.communities) == [f"{WEST}/{NAME}"] and not one.failures
    both = assemble.year_facts(data, YEAR, params, communities=[NAME])
    assert sorted(both.communities) == [f"{EAST}/{NAME}", f"{WEST}/{NAME}"]
    assert not both.failures
    # A notebook opened by hand: the name alone is ambiguous, the street settles it.
    with pytest.raises(LedgerError, match=f"{EAST}、{WEST}都有{NAME}"):
        assemble.community_facts(NAME, YEAR, data, params)
    west = assemble.community_facts(NAME, YEAR, data, params, street=WEST)
    assert west.params["特色亮点"] == ["西山亮点乙"]
    east = assemble.community_facts(f"{EAST}/{NAME}", YEAR, data, params)
    assert east.params["特色亮点"] == ["东湖亮点甲"]


def test_fingerprint_follows_the_street_s_own_files(tianyun: Path, tmp_path: Path) -> None:
    params = district_params(tmp_path)
    nb = report.COMMUNITY_NOTEBOOK

    def digests() -> tuple[str, str]:
        return tuple(fingerprint.combine(fingerprint.community_inputs(NAME, [], params, nb,
                                                                      street=s))
                     for s in (EAST, WEST))  # type: ignore[return-value]

    before = digests()
    write(params / WEST / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: {WEST}\n特色亮点:\n  - 西山亮点丙\n")
    after_file = digests()
    assert after_file[0] == before[0] and after_file[1] != before[1]
    write(params / EAST / "defaults.yaml", "中心工作: 东湖新中心工作\n")
    after_defaults = digests()
    assert after_defaults[0] != after_file[0] and after_defaults[1] == after_file[1]


def test_a_street_name_that_is_a_path_fails_that_community(tianyun: Path,
                                                            tmp_path: Path) -> None:
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / f"{NAME}.xlsx", "../../外面")
    result = reader.read_year(data, YEAR)
    assert not result.books
    assert [p.kind for p in result.failures[NAME]] == ["unsafe_name"]
    with pytest.raises(ValueError):
        report.output_paths(tmp_path / "out", "community", "../外面/天运社区", YEAR, "标题")


def test_nested_workbook_follows_its_folder(tianyun: Path, tmp_path: Path) -> None:
    """A workbook filed under 东湖街道/ but saying 西山街道 counts for 东湖街道, with a
    warning (the folder is where its parameters are looked for)."""
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / EAST / f"{NAME}.xlsx", WEST)
    result = reader.read_year(data, YEAR)
    book = result.books[f"{EAST}/{NAME}"]
    assert book.street == EAST and book.profile["所属街道"] == EAST
    assert any(p.kind == "street_folder" and WEST in p.message for p in book.problems)


# -- the batch (real notebooks, HTML only) -----------------------------------------------

def _html_text(path: Path) -> str:
    from shequ_kit.export import visible_text

    return "".join(visible_text(path.read_text(encoding="utf-8")))


def test_batch_writes_both_namesakes_and_no_lone_overview(tianyun: Path,
                                                          tmp_path: Path) -> None:
    data = district_data(tmp_path, tianyun)
    params = district_params(tmp_path)
    out = tmp_path / "out"
    log = io.StringIO()
    result = run_batch(data, YEAR, out_dir=out, params_dir=params, formats=("html",),
                       workers=2, log=log)
    assert result.exit_code == 0, result.failed
    assert {k: v["status"] for k, v in result.reports.items()} == {
        f"community:{EAST}/{NAME}": DONE, f"community:{WEST}/{NAME}": DONE}
    title = f"{NAME}{YEAR}年度工作总结"
    east_html = out / str(YEAR) / EAST / NAME / f"{title}.html"
    west_html = out / str(YEAR) / WEST / NAME / f"{title}.html"
    east, west = _html_text(east_html), _html_text(west_html)
    assert "东湖中心工作" in east and "东湖亮点甲" in east
    assert "西山" not in east
    assert "西山中心工作" in west and "西山亮点乙" in west
    assert "东湖" not in west
    saved = json.loads((out / str(YEAR) / "manifest.json").read_text(encoding="utf-8"))
    assert saved["reports"][f"community:{WEST}/{NAME}"]["outputs"]["html"] == \
        f"{YEAR}/{WEST}/{NAME}/{title}.html"
    # Each street has one community: no overview, and the summary line says why.
    assert not list((out / str(YEAR)).glob("*社区工作汇总*"))
    summary = log.getvalue().strip().splitlines()[-1]
    assert "只有一个社区，未生成街道汇总" in summary and "--overview" in summary
    assert EAST in summary and WEST in summary

    # Asked for, each street gets its own overview; the summaries are up to date.
    log = io.StringIO()
    again = run_batch(data, YEAR, out_dir=out, params_dir=params, formats=("html",),
                      workers=2, log=log, overview=True)
    assert again.exit_code == 0, again.failed
    assert sorted(again.built) == [f"overview:{EAST}", f"overview:{WEST}"]
    assert sorted(again.skipped) == [f"community:{EAST}/{NAME}", f"community:{WEST}/{NAME}"]
    for street in (EAST, WEST):
        page = out / str(YEAR) / f"{street}{YEAR}年度社区工作汇总.html"
        assert street in _html_text(page)
    assert "--overview" in log.getvalue().strip().splitlines()[-1]


def test_batch_says_a_namesake_s_file_was_not_applied(tianyun: Path, tmp_path: Path) -> None:
    """The run's output names the file and both streets; the report is still written,
    with the street's defaults."""
    data = tmp_path / "data"
    place(tianyun, data / str(YEAR) / f"{NAME}.xlsx", "青枫街道")
    params = tmp_path / "parameters"
    write(params / "defaults.yaml", f"中心工作: {DEFAULT_CENTRE}\n")
    write(params / f"{NAME}.yaml",
          f"社区名称: {NAME}\n所属街道: 闸弄口街道\n中心工作: 加快大转型、提升青枫\n")
    log = io.StringIO()
    out = tmp_path / "out"
    result = run_batch(data, YEAR, out_dir=out, params_dir=params, formats=("html",),
                       workers=1, log=log)
    assert result.exit_code == 0, result.failed
    lines = [line for line in log.getvalue().splitlines() if line.startswith("警告：")]
    assert len(lines) == 1
    for word in (f"{NAME}.yaml", "闸弄口街道", "青枫街道"):
        assert word in lines[0]
    text = _html_text(out / str(YEAR) / NAME / f"{NAME}{YEAR}年度工作总结.html")
    assert DEFAULT_CENTRE in text and "加快大转型" not in text


def test_sample_layout_is_unchanged(tmp_path: Path) -> None:
    """The flat sample keeps OUT/<年>/<社区名称>/ and the manifest key community:<名称>."""
    paths = report.output_paths(tmp_path, "community", NAME, YEAR, "标题", ("html",))
    assert paths["html"] == tmp_path / str(YEAR) / NAME / "标题.html"
    root = Path(__file__).resolve().parents[1]
    result = reader.read_year(root / "data" / "sample", YEAR, communities=[NAME])
    assert list(result.books) == [NAME]

