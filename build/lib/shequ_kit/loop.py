"""The analyst's loop: ``run`` → edit the community's notebook in JupyterLab → export.

``shequ-kit export 笔记本.ipynb`` turns a notebook the analyst edited (optionally
re-executed first) into the same documents ``run`` writes: the same personal-data guard
(its look-up built from the ledgers the notebook names), the same fonts and template,
the same formats (``batch.ALLOWED_FORMATS``) and the same file names (the cover's
title). It works on a copy anywhere: nothing depends on the output folder's layout or
its manifest.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import guard

__all__ = ["LoopError", "Exported", "export_notebook", "notebook_parameters"]

# Cells whose assignments are the notebook's parameters; papermill's injected cell
# comes after the default one and wins.
PARAMETER_TAGS = ("parameters", "injected-parameters")


class LoopError(Exception):
    """The notebook cannot be exported; the message is Chinese and says what to do."""


@dataclass
class Exported:
    """What an export wrote, and the warnings about what the document left out."""

    paths: list[Path] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    executed: bool = False


def notebook_parameters(nb: Any) -> dict[str, Any]:
    """The notebook's parameters (community, year, data_dir …): the literal assignments
    of its parameter cells, then what papermill recorded. Used to find the ledgers whose
    personal data the guard must know."""
    found: dict[str, Any] = {}
    for cell in nb.cells:
        tags = (cell.get("metadata") or {}).get("tags") or []
        if cell.get("cell_type") != "code" or not any(t in PARAMETER_TAGS for t in tags):
            continue
        try:
            tree = ast.parse(cell.source)
        except SyntaxError:
            continue
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                try:
                    found[node.targets[0].id] = ast.literal_eval(node.value)
                except ValueError:
                    continue
    recorded = (nb.metadata.get("papermill") or {}).get("parameters")
    if isinstance(recorded, dict):
        found.update(recorded)
    return found


def _data_folder(value: Any, notebook: Path) -> Path | None:
    """A data folder as the notebook itself would find it: absolute, or relative to the
    current folder, the notebook's folder, or the project root."""
    from .assemble import PROJECT_ROOT

    if not value:
        return None
    p = Path(str(value)).expanduser()
    candidates = [p] if p.is_absolute() else [Path.cwd() / p, notebook.parent / p,
                                               PROJECT_ROOT / p]
    return next((c.resolve() for c in candidates if c.is_dir()), None)


def _guard_index(nb: Any, notebook: Path, data_dir: Path | None) -> guard.PersonalLookup:
    """The guard's look-up over the year's ledgers (and the year before), as ``run``
    builds it. Without ledgers the guard cannot know residents' names, so the export
    refuses rather than pass them."""
    from .privacy import PersonalIndex
    from .reader import read_year

    params = notebook_parameters(nb)
    data = data_dir.expanduser().resolve() if data_dir is not None else \
        _data_folder(params.get("data_dir"), notebook)
    year = params.get("year")
    if data is None or not data.is_dir():
        where = f"（笔记本参数 data_dir = {params.get('data_dir')!r}）" \
            if data_dir is None else f"：{data_dir}"
        raise LoopError(f"未找到台账目录{where}，无法检查个人信息，报告未导出。"
                        "请用 --data 指定台账目录。")
    if not isinstance(year, int) or not (data / str(year)).is_dir():
        raise LoopError(f"台账目录{data}中没有笔记本参数 year 所指的年份"
                        f"（{year!r}），无法检查个人信息，报告未导出。")
    books = list(read_year(data, year).books.values())
    if (data / str(year - 1)).is_dir():
        books += list(read_year(data, year - 1).books.values())
    return PersonalIndex.from_books(books)


def _execute(nb: Any, notebook: Path) -> Any:
    """Run every cell again in the notebook's own folder (the analyst's relative paths
    work as in JupyterLab); a failing cell is a Chinese error naming it."""
    import shutil
    import tempfile

    import papermill
    from papermill.exceptions import PapermillExecutionError

    from .report import KERNEL, _kernel_manager, _shutdown

    # The kernel talks over Unix sockets in a folder of its own, as in run: nothing on
    # the network, and no socket files left in the analyst's folder.
    sockets = Path(tempfile.mkdtemp(prefix="shequ-kit-export-"))
    km = _kernel_manager(sockets, 1, KERNEL)
    try:
        return papermill.execute_notebook(
            nb, None, kernel_name=KERNEL, cwd=str(notebook.parent), progress_bar=False,
            log_output=False, request_save_on_cell_execute=False, km=km)
    except PapermillExecutionError as exc:
        where = f"第{exc.exec_count}个单元格" if exc.exec_count else "某个单元格"
        raise LoopError(f"重新运行笔记本时{where}出错（{exc.ename}），报告未导出。"
                        "请在 JupyterLab 中打开该笔记本检查。") from exc
    finally:
        _shutdown(km)
        shutil.rmtree(sockets, ignore_errors=True)


def export_notebook(notebook: Path | str, formats: tuple[str, ...] | list[str] = ("html", "pdf"),
                    out_dir: Path | str | None = None, execute: bool = False,
                    data_dir: Path | str | None = None) -> Exported:
    """Export an edited report notebook as ``run`` would: ``<封面标题>.<格式>`` in
    ``out_dir`` (the notebook's own folder by default). With ``execute`` the notebook is
    re-run first (papermill) and saved with its new outputs, so what the analyst opens
    next is what was exported. Raises LoopError, ExportError or PersonalDataError with a
    Chinese message; nothing is written then."""
    import nbformat

    from . import export, paths, report
    from .batch import _check_formats

    src = Path(notebook).expanduser().resolve()
    if not src.is_file():
        raise LoopError(f"未找到笔记本：{notebook}")
    try:
        fmts = tuple(f for f in _check_formats(formats) if f != "ipynb")
    except ValueError as exc:
        raise LoopError(str(exc)) from exc
    if not fmts:
        raise LoopError("没有要导出的格式，请用 --formats 指定（如 html,pdf）。")
    try:
        nb = nbformat.read(str(src), as_version=4)
    except Exception as exc:  # not JSON, not a notebook: say so in Chinese
        raise LoopError(f"无法读取笔记本{src.name}（{type(exc).__name__}），"
                        "请确认它是 JupyterLab 保存的 .ipynb 文件。") from exc
    index = _guard_index(nb, src, Path(data_dir) if data_dir is not None else None)
    result = Exported()
    if execute:
        nb = _execute(nb, src)
        result.executed = True
    files, result.warnings = report.export_files(nb, None, fmts, index)
    title = str(export.cover_of(nb).get("title"))
    folder = Path(out_dir).expanduser().resolve() if out_dir is not None else src.parent
    name = paths.check_name(title, "报告标题", limit=False)
    targets = {folder / f"{name}.{ext}": files[ext] for ext in fmts if ext in files}
    if execute:
        guard.check_notebook(nb, index)
        targets[src] = nbformat.writes(nb).encode("utf-8")
    guard.check_text("已导出：" + "、".join(p.name for p in targets), index)
    report.write_outputs(targets)
    result.paths = [p for p in targets if p != src]
    return result
