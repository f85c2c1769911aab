"""The street index (OUT/<年>/index.html) built from hand-made manifests and folders."""

from __future__ import annotations

import re
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
from test_export_helpers import RESIDENT_IDS, StandInIndex

from shequ_kit import __version__, guard, index_page

YEAR = 2024


class _Rows(HTMLParser):
    """Each table row as (cell texts, hrefs per cell)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[tuple[list[str], list[list[tuple[str, str]]]]] = []
        self._cell: list[str] | None = None
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append(([], []))
        elif tag == "td":
            self._cell = []
            self.rows[-1][0].append("")
            self.rows[-1][1].append([])
        elif tag == "a":
            self._href = dict(attrs).get("href")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td":
            self._cell = None
        elif tag == "a":
            self._href = None

    def handle_data(self, data: str) -> None:
        if self._cell is None:
            return
        cells, links = self.rows[-1]
        cells[-1] += data
        if self._href is not None:
            links[-1].append((data, self._href))


def rows(page: str) -> dict[str, tuple[list[str], list[list[tuple[str, str]]]]]:
    parser = _Rows()
    parser.feed(page)
    return {cells[0]: (cells, links) for cells, links in parser.rows if cells}


@pytest.fixture()
def out(tmp_path: Path) -> Path:
    return tmp_path / "out"


def rel(out: Path, *parts: str) -> str:
    """Create OUT/<parts> (a stand-in file) and return its manifest path (relative to OUT)."""
    path = out.joinpath(*parts)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x")
    return Path(*parts).as_posix()


def street(out: Path) -> dict:
    y = str(YEAR)
    tianyun = {ext: rel(out, y, "天运社区", f"天运社区2024年度工作总结.{ext}")
               for ext in ("ipynb", "html", "pdf", "docx")}
    rel(out, y, "天运社区", "天运社区2024年数据核对单.html")
    rel(out, y, "天运社区", "天运社区2024年数据核对单.xlsx")
    wangjiang = {ext: rel(out, y, "望江社区", f"望江社区 2024#年度工作总结.{ext}")
                 for ext in ("ipynb", "pdf")}
    # 柳岸社区 failed: no report, but its 数据核对单 is beside where the report would be.
    rel(out, y, "柳岸社区", "柳岸社区2024年数据核对单.html")
    overview = {ext: rel(out, y, f"青枫街道2024年度社区工作汇总.{ext}") for ext in ("pdf",)}
    return {"year": YEAR, "reports": {
        "community:天运社区": {"kind": "community", "name": "天运社区", "status": "完成",
                           "reason": None, "outputs": tianyun},
        "community:望江社区": {"kind": "community", "name": "望江社区", "status": "跳过",
                           "reason": None, "outputs": wangjiang},
        "community:柳岸社区": {"kind": "community", "name": "柳岸社区", "status": "失败",
                           "reason": "台账文件无法打开：文件已损坏", "outputs": {}},
        "community:石桥社区": {"kind": "community", "name": "石桥社区", "status": "失败",
                           "reason": "超时（超过600秒未完成），已停止", "outputs": {}},
        "overview:青枫街道": {"kind": "overview", "name": "青枫街道", "status": "完成",
                          "reason": None, "outputs": overview},
    }}


def test_every_report_with_its_status_and_reason(out: Path) -> None:
    page = index_page.index_html(street(out), out, now=datetime(2025, 1, 6, 9, 5))
    got = rows(page)
    assert got["天运社区"][0][1] == "完成"
    assert got["望江社区"][0][1] == "沿用"
    assert got["柳岸社区"][0][1] == "失败"
    assert "台账文件无法打开：文件已损坏" in got["柳岸社区"][0][4]
    assert got["石桥社区"][0][1] == "超时"
    assert "超过600秒未完成" in got["石桥社区"][0][4]
    # The overview is named by its title (the file's name), listed before the communities.
    assert got["青枫街道2024年度社区工作汇总"][0][1] == "完成"
    assert page.index("青枫街道2024年度社区工作汇总") < page.index("天运社区")
    assert "共5份报告：完成2份，沿用上次结果1份，失败1份，超时1份。" in page
    assert "2025年1月6日 09:05" in page
    assert f"shequ-kit {__version__}" in page
    assert '<html lang="zh-CN">' in page


def test_links_are_relative_and_open_the_listed_files(out: Path) -> None:
    page = index_page.index_html(street(out), out)
    got = rows(page)
    year_dir = out / str(YEAR)
    files = dict(got["天运社区"][1][2])
    assert list(files) == ["PDF", "Word", "网页", "笔记本"]
    assert unquote(files["Word"]) == "天运社区/天运社区2024年度工作总结.docx"
    checks = dict(got["天运社区"][1][3])
    assert unquote(checks["网页"]) == "天运社区/天运社区2024年数据核对单.html"
    assert unquote(checks["Excel"]) == "天运社区/天运社区2024年数据核对单.xlsx"
    # A failed community has no report but still its 数据核对单.
    assert got["柳岸社区"][1][2] == []
    assert [unquote(h) for _, h in got["柳岸社区"][1][3]] == ["柳岸社区/柳岸社区2024年数据核对单.html"]
    # Spaces and # in a title are encoded, so the link still opens that file.
    wj = dict(got["望江社区"][1][2])
    assert " " not in wj["PDF"] and "#" not in wj["PDF"]
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert len(hrefs) == 1 + 4 + 2 + 2 + 1  # overview, 天运 and its 核对单, 望江, 柳岸
    for href in hrefs:
        assert not href.startswith(("/", "http:", "https:", "file:"))
        assert (year_dir / unquote(href)).is_file(), href


def test_a_listed_file_that_is_gone_is_not_linked(out: Path) -> None:
    manifest = street(out)
    (out / manifest["reports"]["community:天运社区"]["outputs"]["docx"]).unlink()
    files = dict(rows(index_page.index_html(manifest, out))["天运社区"][1][2])
    assert "Word" not in files and "PDF" in files


def test_self_contained_page(out: Path) -> None:
    page = index_page.index_html(street(out), out)
    assert "<script" not in page.lower()
    assert "<link" not in page.lower()
    assert "@import" not in page and "url(" not in page
    assert "http" not in page and "//cdn" not in page


def test_personal_data_in_a_reason_writes_nothing(out: Path) -> None:
    manifest = street(out)
    manifest["reports"]["community:柳岸社区"]["reason"] = f"第3行身份证号{RESIDENT_IDS[0]}有误"
    with pytest.raises(guard.PersonalDataError):
        index_page.write_index(manifest, out, StandInIndex())
    assert not (out / str(YEAR) / "index.html").exists()


def test_written_only_when_more_than_the_time_changed(out: Path) -> None:
    manifest = street(out)
    target = index_page.write_index(manifest, out, StandInIndex(), now=datetime(2025, 1, 6, 9))
    assert target == out / str(YEAR) / "index.html"
    first = target.read_text(encoding="utf-8")
    assert "2025年1月6日 09:00" in first
    index_page.write_index(manifest, out, StandInIndex(), now=datetime(2025, 1, 7, 10))
    assert target.read_text(encoding="utf-8") == first
    manifest["reports"]["community:望江社区"]["status"] = "完成"
    index_page.write_index(manifest, out, StandInIndex(), now=datetime(2025, 1, 7, 10))
    second = target.read_text(encoding="utf-8")
    assert "2025年1月7日 10:00" in second and rows(second)["望江社区"][0][1] == "完成"


def test_each_entry_links_the_checklist_of_its_own_period(out: Path) -> None:
    """A weekly run writes 天运社区2024年第15周数据核对单 beside the annual list: the annual
    summary's row links the annual list, the weekly 创文 report's row the weekly one."""
    y = str(YEAR)
    manifest = street(out)
    rel(out, y, "天运社区", "天运社区2024年第15周数据核对单.html")
    weekly = {"pdf": rel(out, y, "天运社区", "天运社区2024年第15周（4月8日—4月14日）创文工作总结.pdf")}
    manifest["reports"]["community:天运社区"]["period"] = "2024"
    manifest["reports"]["community:天运社区|专项|2024W15|创文"] = {
        "kind": "community", "name": "天运社区", "status": "完成", "reason": None,
        "outputs": weekly, "doc": "专项", "period": "2024W15", "line": "创文",
        "title": "天运社区2024年第15周（4月8日—4月14日）创文工作总结"}
    got = rows(index_page.index_html(manifest, out))
    annual = [unquote(h) for _, h in got["天运社区"][1][3]]
    assert annual == ["天运社区/天运社区2024年数据核对单.html",
                      "天运社区/天运社区2024年数据核对单.xlsx"]
    week = [unquote(h) for _, h in got["天运社区2024年第15周（4月8日—4月14日）创文工作总结"][1][3]]
    assert week == ["天运社区/天运社区2024年第15周数据核对单.html"]
