"""``jupyter nbconvert --to shequ_pdf 笔记本.ipynb``: the kit's PDF from nbconvert.

An analyst who edits a report notebook in JupyterLab exports it the way Jupyter users
do (the command line, or JupyterLab's 文件 → 另存为并导出 menu, which lists every
registered exporter). That path must give the very document ``shequ-kit run`` writes:
same cover, same text, same Chinese faces, same pages. So this exporter adds nothing of
its own: it calls export.py's pipeline (``to_html`` with the shequ_report template, then
``render_pdf`` with WeasyPrint) after the same personal-data guard.

The guard needs the ledgers' personal values. The notebook says where they are: papermill
records its parameters in the notebook's metadata, and a notebook run by hand has them in
its ``parameters`` cell. The workbooks of that year (and the year before) are read for the
look-up; when they cannot be found, the export is refused rather than left unguarded.
"""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

from nbconvert.exporters import Exporter
from traitlets import Unicode, default

from . import guard

__all__ = ["ShequPDFExporter", "guard_index"]


def _parameters(nb: Any) -> dict[str, Any]:
    """The report's parameters: papermill's record, else the ``parameters`` cell's
    literal assignments (a notebook run in JupyterLab)."""
    found = dict(((nb.metadata.get("papermill") or {}).get("parameters")) or {})
    if found:
        return found
    for cell in nb.cells:
        if cell.get("cell_type") != "code" or \
                "parameters" not in (cell.get("metadata") or {}).get("tags", []):
            continue
        try:
            tree = ast.parse(str(cell.get("source") or ""))
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and \
                    isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    return found


def guard_index(nb: Any, base: Path | None = None) -> guard.PersonalLookup:
    """The personal-data look-up over the ledgers the notebook was run on (its year and
    the year before). ``base`` is the notebook's folder: a relative ``data_dir`` is read
    from there first (a notebook saved in notebooks/ names ``data/sample`` from the
    project root, which assemble.resolve then finds). Raises ExportError (Chinese) when
    the ledgers cannot be found: an unguarded PDF is never written."""
    from .assemble import resolve
    from .export import ExportError
    from .privacy import PersonalIndex
    from .reader import read_year

    params = _parameters(nb)
    data_dir, year = params.get("data_dir"), params.get("year")
    data: Path | None = None
    if data_dir:
        candidate = Path(str(data_dir)).expanduser()
        if not candidate.is_absolute() and base is not None and (base / candidate).is_dir():
            data = base / candidate
        else:
            data = resolve(candidate)
    if data is None or not data.is_dir() or not isinstance(year, int) or \
            not (data / str(year)).is_dir():
        raise ExportError("无法找到该笔记本所用的台账（参数 data_dir、year），不能进行个人信息"
                          "检查，PDF 未导出。请确认参数单元格中的台账文件夹和年份，"
                          "或使用 shequ-kit run 生成报告。")
    books = list(read_year(data, year).books.values())
    if (data / str(year - 1)).is_dir():
        books += list(read_year(data, year - 1).books.values())
    return PersonalIndex.from_books(books)


class ShequPDFExporter(Exporter):
    """The report notebook → the kit's PDF (cover, Chinese faces, no code), as
    ``shequ-kit run`` writes it. Registered as the ``shequ_pdf`` exporter."""

    export_from_notebook = "社区工作总结 PDF"
    output_mimetype = "application/pdf"

    @default("file_extension")
    def _file_extension_default(self) -> str:
        return ".pdf"

    data_dir = Unicode("", help="台账文件夹（默认取笔记本参数中的 data_dir）").tag(config=True)

    def from_notebook_node(self, nb: Any, resources: dict[str, Any] | None = None,
                           **kw: Any) -> tuple[bytes, dict[str, Any]]:
        """Guard the notebook and its HTML, then render the PDF with export.py."""
        from . import export

        nb_copy, resources = super().from_notebook_node(nb, resources, **kw)
        if self.data_dir:
            nb_copy = copy.deepcopy(nb_copy)
            nb_copy.metadata.setdefault("papermill", {}).setdefault("parameters", {})
            nb_copy.metadata["papermill"]["parameters"]["data_dir"] = self.data_dir
        path = (resources.get("metadata") or {}).get("path")
        index = guard_index(nb_copy, Path(path) if path else None)
        guard.check_notebook(nb, index)
        html = export.to_html(nb)
        guard.check_html(html, index)
        resources["output_extension"] = ".pdf"
        return export.render_pdf(html), resources
