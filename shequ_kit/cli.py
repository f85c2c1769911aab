"""The `shequ-kit` command: what a street office's analyst types.

Only argument parsing and printing live here; every sub-command calls one package
function. Nothing else in the package imports this module.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from . import __version__
from .layout import closest, year_folder_problem

JSON_KEYS = ("community", "year", "period", "id", "name", "unit", "value", "numerator",
             "denominator", "previous", "condition", "target", "status", "gap", "gap_text",
             "level")


def _width(text: str) -> int:
    """Terminal columns: Chinese characters take two (argparse counts one)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


class ChineseHelpFormatter(argparse.RawDescriptionHelpFormatter):
    """argparse's help layout, with option names like ``--data 目录`` measured in terminal
    columns so the help texts line up."""

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=32)

    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None
                  ) -> None:
        super().add_usage(usage, actions, groups, prefix if prefix is not None else "用法：")

    def add_argument(self, action: argparse.Action) -> None:
        super().add_argument(action)
        if action.help is not argparse.SUPPRESS:
            invocations = [self._format_action_invocation(action)]
            invocations += [self._format_action_invocation(s)
                            for s in self._iter_indented_subactions(action)]
            self._action_max_length = max(
                self._action_max_length,
                max(map(_width, invocations)) + self._current_indent)

    def _format_action(self, action: argparse.Action) -> str:
        help_position = min(self._action_max_length + 2, self._max_help_position)
        help_width = max(self._width - help_position, 11)
        action_width = help_position - self._current_indent - 2
        header = self._format_action_invocation(action)
        indent_first = 0
        if not action.help:
            header = " " * self._current_indent + header + "\n"
        elif _width(header) <= action_width:
            header = (" " * self._current_indent + header
                      + " " * (action_width - _width(header)) + "  ")
        else:
            header = " " * self._current_indent + header + "\n"
            indent_first = help_position
        parts = [header]
        if action.help and action.help.strip():
            help_lines = self._split_lines(self._expand_help(action), help_width)
            if help_lines:
                parts.append(" " * indent_first + help_lines[0] + "\n")
                parts.extend(" " * help_position + line + "\n" for line in help_lines[1:])
        elif not header.endswith("\n"):
            parts.append("\n")
        parts.extend(self._format_action(s) for s in self._iter_indented_subactions(action))
        return self._join_parts(parts)


# argparse speaks English; the analysts do not. Its few messages are translated here.
_ARGPARSE_MESSAGES = (
    ("the following arguments are required: ", "缺少必需的参数："),
    ("unrecognized arguments: ", "无法识别的参数："),
    ("invalid choice: ", "无效的选择："),
    ("invalid int value: ", "不是有效的整数："),
    ("invalid float value: ", "不是有效的数字："),
    ("expected one argument", "需要一个参数值"),
    ("expected at least one argument", "至少需要一个参数值"),
    ("ambiguous option: ", "选项有歧义："),
    (" could match ", "，可能是"),
    ("argument ", "参数 "),
)
_CHOOSE_FROM = re.compile(r" ?\(choose from (.*)\)")


class ChineseArgumentParser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:
        for en, zh in _ARGPARSE_MESSAGES:
            message = message.replace(en, zh)
        message = _CHOOSE_FROM.sub(lambda m: f"（可选：{m.group(1)}）", message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}：错误：{message}\n")


def _parser() -> argparse.ArgumentParser:
    p = ChineseArgumentParser(
        prog="shequ-kit",
        description="社区台账 → 指标 → 年度工作总结（HTML/PDF），按街道批量生成。",
        formatter_class=ChineseHelpFormatter,
        add_help=False,
    )
    p.add_argument("-h", "--help", action="help", help="显示帮助并退出")
    p.add_argument("--version", action="version", version=f"shequ-kit {__version__}",
                   help="显示版本并退出")
    p._positionals.title = "子命令"
    p._optionals.title = "选项"
    sub = p.add_subparsers(dest="command", metavar="<子命令>",
                           parser_class=ChineseArgumentParser)

    def add(name: str, help_text: str) -> argparse.ArgumentParser:
        sp = sub.add_parser(name, help=help_text, description=help_text, add_help=False,
                            formatter_class=ChineseHelpFormatter)
        sp.add_argument("-h", "--help", action="help", help="显示帮助并退出")
        sp._optionals.title = "选项"
        return sp

    s = add("sample", "生成一个虚构街道的示例台账（人员均为虚构）")
    s.add_argument("--out", required=True, type=Path, metavar="目录", help="输出目录")
    s.add_argument("--communities", type=int, default=12, metavar="个数", help="社区数（默认12）")
    s.add_argument("--years", type=int, nargs="+", default=[2023, 2024], metavar="年份",
                   help="年份（默认2023 2024）；只写一个不大于10的数N时，生成到2024年为止的"
                        "连续N年（如 --years 3 生成2022至2024年，总结中有近三年趋势）")
    s.add_argument("--seed", type=int, default=2024, metavar="种子", help="随机种子（相同种子生成相同文件）")
    s.add_argument("--errors", action="store_true",
                   help="同时写入几处故意填错的记录（日期、枚举、重复身份证号），演示检查结果")

    t = add("template", "生成供社区填写的空白台账模板（含下拉选项与填写说明）")
    t.add_argument("--out", required=True, type=Path, metavar="文件", help="模板文件（.xlsx）")
    t.add_argument("--params", type=Path, default=Path("parameters"), metavar="目录",
                   help="参数目录（使用其中defaults.yaml的枚举，默认parameters）")

    v = add("validate", "检查某年全部台账，按社区列出错误与警告")
    v.add_argument("--data", required=True, type=Path, metavar="目录", help="台账目录（内含按年份的子目录）")
    v.add_argument("--year", required=True, type=int, metavar="年份", help="年份")
    v.add_argument("--community", metavar="社区名称", help="只检查这个社区（可写“街道/社区名称”）")
    v.add_argument("--params", type=Path, default=Path("parameters"), metavar="目录", help="参数目录（默认parameters）")

    i = add("indicators", "计算指标：同比、目标完成情况；默认输出中文表格")
    i.add_argument("--data", required=True, type=Path, metavar="目录", help="台账目录")
    i.add_argument("--year", required=True, type=int, metavar="年份", help="年份")
    i.add_argument("--community", metavar="社区名称", help="只计算这个社区（可写“街道/社区名称”）")
    i.add_argument("--params", type=Path, default=Path("parameters"), metavar="目录", help="参数目录（默认parameters）")
    i.add_argument("--street", action="store_true", help="同时输出街道合计（比率按分子分母汇总）")
    i.add_argument("--json", action="store_true", help="输出JSON（格式见指标说明）")

    r = add("run", "生成年度工作总结（每个社区一份）与街道汇总，或按 --doc 生成其他文种")
    r.add_argument("--data", required=True, type=Path, metavar="目录", help="台账目录")
    r.add_argument("--year", type=int, metavar="年份", help="年份（写了 --period 时可省略）")
    r.add_argument("--doc", default="总结", metavar="文种",
                   help="文种，逗号分隔：总结、专项、计划，或参数目录“文种/”中自定义的文种（默认总结）")
    r.add_argument("--line", default=None, metavar="条线",
                   help="专项总结的条线或条线组，逗号分隔，如 普法,就业社保 或 创文")
    r.add_argument("--period", default=None, metavar="期间",
                   help="统计期间：2024、2024H1、2024Q3、2024-03、2024W15、2024-03-01..2024-03-31"
                        "（默认全年截至台账截止日期）")
    r.add_argument("--params", type=Path, default=Path("parameters"), metavar="目录", help="参数目录（默认parameters）")
    r.add_argument("--out", type=Path, default=Path("outputs"), metavar="目录", help="输出目录（默认outputs）")
    r.add_argument("--community", nargs="+", metavar="社区名称",
                   help="只生成这些社区（社区名称，或“街道/社区名称”区分不同街道的同名社区）")
    r.add_argument("--overview", action="store_true",
                   help="只有一个社区的街道也生成街道汇总（默认不生成）")
    r.add_argument("--formats", default="html,pdf,docx", metavar="格式",
                   help="输出格式，逗号分隔：html、pdf、docx（Word，公文格式），默认三种都输出")
    r.add_argument("--workers", type=int, default=None, metavar="个数", help="并行进程数（默认CPU核数）")
    r.add_argument("--force", action="store_true", help="忽略已有结果，全部重新生成")
    r.add_argument("--scheduler", metavar="地址", help="Dask调度器地址（如tcp://10.0.0.5:8786），不填则本机运行")
    r.add_argument("--timeout", type=float, default=600, metavar="秒",
                   help="每份报告的时限，超时则终止该报告并记为超时（默认600，0为不限）")
    r.add_argument("--notebook", type=Path, default=None, metavar="文件",
                   help="社区报告使用的笔记本（默认notebooks/community_report.ipynb）")
    r.add_argument("--overview-notebook", type=Path, default=None, metavar="文件",
                   help="街道汇总使用的笔记本（默认notebooks/street_overview.ipynb）")
    r.add_argument("--discard-edits", action="store_true",
                   help="覆盖手工编辑过的输出笔记本（默认另存为“….已编辑-时间.ipynb”保留）")

    from .batch import ALLOWED_FORMATS

    e = add("export", "把（在 JupyterLab 中编辑过的）报告笔记本导出为 HTML/PDF，文件名取封面标题")
    e.add_argument("notebook", type=Path, metavar="笔记本", help="报告笔记本（.ipynb），可以是任意位置的副本")
    e.add_argument("--formats", default="html,pdf", metavar="格式",
                   help=f"输出格式，逗号分隔（可选：{'、'.join(ALLOWED_FORMATS)}；默认html,pdf）")
    e.add_argument("--execute", action="store_true", help="先重新运行全部单元格（papermill），再导出")
    e.add_argument("--out", type=Path, default=None, metavar="目录", help="输出目录（默认笔记本所在目录）")
    e.add_argument("--data", type=Path, default=None, metavar="目录",
                   help="台账目录，用于个人信息检查（默认取笔记本参数 data_dir）")
    return p


def _cmd_sample(a: argparse.Namespace) -> int:
    from .sample import generate

    paths = generate(a.out, communities=a.communities, years=tuple(a.years), seed=a.seed,
                     errors=a.errors)
    print(f"已生成{len(paths)}个示例台账，位于{a.out}")
    return 0


def _cmd_template(a: argparse.Namespace) -> int:
    from .params import load_defaults
    from .template import write_template

    defaults = load_defaults(a.params if a.params and a.params.is_dir() else None)
    write_template(a.out, enum_overrides=defaults.get("枚举"))
    print(f"已生成台账模板：{a.out}")
    return 0


CANNOT_START = 2  # as the batch: 0 fine, 1 some community failed, 2 nothing could run


def _year_folder(a: argparse.Namespace) -> Path | None:
    """The year's folder, taken from where the user is; None (with a message) if absent."""
    data = a.data.expanduser().resolve()
    problem = year_folder_problem(data, a.year)
    if problem:
        print(f"错误：{problem}", file=sys.stderr)
        return None
    return data / str(a.year)


def _params_dir(a: argparse.Namespace) -> Path | None:
    """The parameters folder if there is one; validate and indicators work without it."""
    p = a.params.expanduser().resolve() if a.params else None
    return p if p is not None and p.is_dir() else None


def _cmd_validate(a: argparse.Namespace) -> int:
    from .params import ParamsError, load_defaults
    from .reader import merge_enums, read_year

    if _year_folder(a) is None:
        return CANNOT_START
    try:
        defaults = load_defaults(_params_dir(a))
        enums = merge_enums(defaults.get("枚举"))
    except (ParamsError, ValueError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return CANNOT_START
    result = read_year(a.data.expanduser().resolve(), a.year,
                       communities=[a.community] if a.community else None, enums=enums)
    any_error = False
    for p in result.problems:
        print(str(p))
        any_error |= p.is_error
    names = sorted(set(result.books) | set(result.failures))
    for name in names:
        if name in result.failures:
            problems = result.failures[name]
            status = "无法使用"
        else:
            problems = result.books[name].problems
            status = None
        errors = sum(p.is_error for p in problems)
        warnings = len(problems) - errors
        any_error |= errors > 0 or name in result.failures
        head = f"【{name}】" + (status or f"错误{errors}条，警告{warnings}条")
        print(head)
        for p in problems:
            print(f"  {p}")
        book = result.books.get(name)
        if book is not None and book.absent_sheets:
            print(f"  {book.path.name}：缺少工作表：{'、'.join(book.absent_sheets)}"
                  "（相关内容按无数据处理，总结中不写）")
    if not names:
        where = f"{a.data}/{a.year}"
        hint = ""
        if a.community:
            everyone = read_year(a.data.expanduser().resolve(), a.year, enums=enums)
            hint = closest(a.community, set(everyone.books) | set(everyone.failures))
        print(f"{where} 下没有找到{a.community + '的' if a.community else ''}台账{hint}")
        return 1
    print(f"共检查{len(names)}个社区。" + ("存在错误。" if any_error else "未发现错误。"))
    return 1 if any_error else 0


def _json_row(row: dict[str, Any]) -> dict[str, Any]:
    return {k: row[k] for k in JSON_KEYS if k in row}


def _cmd_indicators(a: argparse.Namespace) -> int:
    from .assemble import year_facts
    from .params import ParamsError

    if _year_folder(a) is None:
        return CANNOT_START
    try:
        facts = year_facts(a.data.expanduser().resolve(), a.year, _params_dir(a),
                           communities=[a.community] if a.community else None)
    except ParamsError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return CANNOT_START
    # Full rows for the table (it notes communities left out of a total); the JSON
    # keeps exactly the keys of the contract.
    rows: list[dict[str, Any]] = []
    for f in facts.communities.values():
        rows.extend(f.indicators)
    if a.street:
        for st in facts.streets.values():
            rows.extend(st.totals)
        rows.extend(facts.totals)
    if a.json:
        print(json.dumps([_json_row(r) for r in rows], ensure_ascii=False, indent=1))
    else:
        from .tables import indicator_table_text

        print(indicator_table_text(rows))
    for p in facts.run_problems:
        print(str(p), file=sys.stderr)
    for name, reason in facts.failures.items():
        print(f"错误：{name}：{reason}", file=sys.stderr)
    failed = bool(facts.failures) or any(p.is_error for p in facts.run_problems)
    return 1 if failed else 0


def _list(text: str | None) -> list[str]:
    """A comma list as typed (ASCII or full-width commas, 、 too)."""
    return [x.strip() for x in re.split(r"[,，、]", text or "") if x.strip()]


def _cmd_run(a: argparse.Namespace) -> int:
    from .batch import run_batch

    year = a.year
    if year is None:
        head = (a.period or "").strip()[:4]
        if not head.isdigit():
            print("错误：缺少 --year 年份（或写 --period 期间，如 --period 2024Q3）",
                  file=sys.stderr)
            return CANNOT_START
        year = int(head)
    formats = tuple(f.strip() for f in a.formats.split(",") if f.strip())
    result = run_batch(a.data, year, out_dir=a.out, params_dir=a.params,
                       communities=a.community, formats=formats, workers=a.workers,
                       force=a.force, scheduler=a.scheduler, timeout=a.timeout,
                       notebook=a.notebook, overview_notebook=a.overview_notebook,
                       overview=a.overview, discard_edits=a.discard_edits,
                       docs=_list(a.doc) or None, lines=_list(a.line) or None,
                       period=a.period)
    return int(result.exit_code)


def _cmd_export(a: argparse.Namespace) -> int:
    from .export import ExportError
    from .guard import PersonalDataError
    from .loop import LoopError, export_notebook

    formats = tuple(f.strip() for f in a.formats.split(",") if f.strip())
    try:
        done = export_notebook(a.notebook, formats, out_dir=a.out, execute=a.execute,
                               data_dir=a.data)
    except (LoopError, ExportError, PersonalDataError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        from .oserror import describe

        print(f"错误：写入失败：{describe(exc)}", file=sys.stderr)
        return 1
    for warning in done.warnings:
        print(f"警告：{warning}", file=sys.stderr)
    if done.executed:
        print(f"已重新运行并保存笔记本：{a.notebook}")
    print("已导出：" + "、".join(str(p) for p in done.paths))
    return 0


COMMANDS = {
    "sample": _cmd_sample,
    "template": _cmd_template,
    "validate": _cmd_validate,
    "indicators": _cmd_indicators,
    "run": _cmd_run,
    "export": _cmd_export,
}


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return 2
    return COMMANDS[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
