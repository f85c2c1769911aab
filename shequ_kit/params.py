"""The parameters files: the street's defaults.yaml and one <社区名称>.yaml per community.

A street office writes its shared targets, wording and rules once in defaults.yaml; a
community's file changes only what differs for that community. Merging follows
report.md: every key optional, a community's list replaces the street's, except
``targets`` (matched by 指标 and 条件: a community entry replaces the street's, and
``目标: null`` removes it) and ``补充问题`` (added to the street's); a community's mapping
(版块, 问题规则 …) changes only the keys it names.

Mistakes are reported in Chinese with the file, the entry and the text, and say whether
they came from defaults.yaml (every community depends on it: the run stops) or from one
community's file (only that community fails).
"""

from __future__ import annotations

import copy
import difflib
import json
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from . import yamltext
from .targets import Target, TargetError, check_condition, parse_target

__all__ = [
    "ParamsError", "DEFAULTS_FILE", "BUILTIN_DEFAULTS", "load_defaults", "load_params",
    "community_targets", "merge", "target_key", "community_file", "year_file", "STREET_KEY",
]

DEFAULTS_FILE = "defaults.yaml"
#: The key a parameters file names its street with; a community's file is applied only to
#: the community of that street (names repeat across the streets of a district).
STREET_KEY = "所属街道"
TARGETS = "targets"
APPENDED = "补充问题"

#: What a run uses when there is no parameters folder at all.
BUILTIN_DEFAULTS: dict[str, Any] = {TARGETS: []}

_ENTRY_KEYS = ("指标", "条件", "目标", "说明")
# Names an analyst may reach for instead of ``targets``; silently ignoring them would
# drop every target of the file.
_TARGET_TYPOS = ("target", "Target", "Targets", "TARGETS", "目标", "工作目标", "年度目标")


SCHEMA_FILE = Path(__file__).resolve().parent / "rules" / "parameters.schema.yaml"
_TYPE_WORDS = {"string": "文字", "array": "列表", "object": "“键: 值”的映射",
               "integer": "整数", "number": "数字", "null": "空"}


class ParamsError(ValueError):
    """A parameters file that cannot be used.

    ``from_defaults`` is True for defaults.yaml (the run stops: every community depends
    on it) and False for a community's file (only that community fails).
    """

    def __init__(self, message: str, file: str = "", entry: int | None = None,
                 text: str | None = None, from_defaults: bool = False,
                 community: str | None = None):
        self.file = file
        self.entry = entry
        self.text = text
        self.from_defaults = from_defaults
        self.community = community
        super().__init__(message)


# ---------------------------------------------------------------------------
# Reading one file
# ---------------------------------------------------------------------------

class _File:
    """One parameters file being read: where it is and how to complain about it."""

    def __init__(self, path: Path, from_defaults: bool, community: str | None):
        self.path = path
        self.name = path.name
        self.from_defaults = from_defaults
        self.community = community

    def error(self, reason: str, entry: int | None = None, text: str | None = None,
              line: int | None = None) -> ParamsError:
        where = f"参数文件 {self.name}"
        if entry is not None:
            where += f" targets 第{entry}条"
        if line is not None:
            where += f"（第{line}行）"
        shown = f"“{text}”" if text not in (None, "") else ""
        return ParamsError(f"{where}{shown}：{reason}", file=self.name, entry=entry,
                           text=text, from_defaults=self.from_defaults,
                           community=self.community)

    def source(self, entry: int, line: int | None) -> str:
        return f"参数文件 {self.name} targets 第{entry}条" + (f"（第{line}行）" if line else "")


_TAG = re.compile(r"tag '([^']+)'")


def _read_yaml(f: _File) -> tuple[dict[str, Any], list[int | None]]:
    """The file's mapping and the line of each targets entry (for messages)."""
    try:
        text = f.path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise f.error("不是UTF-8编码的文本，请用UTF-8保存") from None
    except OSError:
        raise f.error("无法读取") from None
    loader = yamltext.SafeLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.constructor.ConstructorError as exc:
        # Well-formed YAML with a tag that would build a Python object (!!python/…) or
        # any other unknown tag: the file is not broken, the tag is refused.
        mark = exc.problem_mark or exc.context_mark
        at = f"第{mark.line + 1}行第{mark.column + 1}列" if mark else ""
        tag = _TAG.search(str(exc.problem or ""))
        shown = tag.group(1).replace("tag:yaml.org,2002:", "!!") if tag else "该标签"
        raise f.error(f"{at}使用了不允许的YAML标签“{shown}”：参数文件只能写文字、数字、"
                      "列表和“键: 值”，不能含有以 ! 开头的标签") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        at = f"第{mark.line + 1}行第{mark.column + 1}列附近" if mark else ""
        raise f.error(f"不是有效的YAML，{at}格式有误（请检查缩进、冒号和引号）") from None
    except yaml.YAMLError:
        raise f.error("不是有效的YAML，格式有误（请检查缩进、冒号和引号）") from None
    finally:
        loader.dispose()
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        raise f.error("的内容应是“键: 值”的形式（如 targets: …），而不是一个列表或一段文字")
    lines: list[int | None] = []
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if getattr(key_node, "value", None) == TARGETS and isinstance(
                    value_node, yaml.SequenceNode):
                lines = [item.start_mark.line + 1 for item in value_node.value]
    return {str(k): v for k, v in data.items()}, lines


def _entries(f: _File, data: dict[str, Any], lines: list[int | None]
             ) -> list[tuple[int, int | None, dict[str, Any]]]:
    """The file's targets, checked one by one: (entry number, line, normalised entry)."""
    for typo in _TARGET_TYPOS:
        if typo in data:
            raise f.error(f"中的“{typo}”应写作“targets”")
    raw = data.get(TARGETS)
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise f.error("中的 targets 应是一个列表，每条以“- 指标: …”开头")
    out = []
    seen: dict[tuple, int] = {}
    for i, item in enumerate(raw, start=1):
        line = lines[i - 1] if i - 1 < len(lines) else None
        if not isinstance(item, dict):
            raise f.error("应写成“指标: …”和“目标: …”两行", i, _text(item), line)
        unknown = [str(k) for k in item if str(k) not in _ENTRY_KEYS]
        if unknown:
            raise f.error(f"有不认识的项“{'、'.join(unknown)}”（可用：指标、条件、目标、说明）",
                          i, None, line)
        indicator = item.get("指标")
        if indicator in (None, ""):
            raise f.error("缺少“指标”", i, _text(item.get("目标")), line)
        indicator = str(indicator).strip()
        if "目标" not in item:
            raise f.error("缺少“目标”（要删除街道统一目标，请写“目标: null”）", i, indicator, line)
        target = item.get("目标")
        text = None if target is None else _text(target)
        condition = item.get("条件")
        source = f.source(i, line)
        try:
            # Reading the phrase here, not later, puts the blame on the right file.
            if text is None:
                cond = check_condition(indicator, condition, source)
            else:
                cond = parse_target(text, indicator, condition, source).condition
        except TargetError as exc:
            raise ParamsError(str(exc), file=f.name, entry=i, text=text,
                              from_defaults=f.from_defaults, community=f.community) from None
        entry = {"指标": indicator, "条件": cond, "目标": text, "来源": source}
        if item.get("说明") is not None:
            entry["说明"] = str(item["说明"])
        key = target_key(entry)
        if key in seen:
            raise f.error(f"与第{seen[key]}条重复（同一指标、同一条件在一个文件里只能写一条）",
                          i, text, line)
        seen[key] = i
        if text is None and f.from_defaults:
            raise f.error("的目标为空（“目标: null”只用于社区文件中删除街道统一目标）",
                          i, indicator, line)
        out.append((i, line, entry))
    return out


def _text(value: Any) -> str:
    """A target as the analyst wrote it; YAML reads 100 and 0.95 as numbers."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value).strip()


def _cond_text(condition: dict[str, str] | None) -> str:
    if not condition:
        return "无条件"
    return "条件 " + "，".join(f"{k}={v}" for k, v in condition.items())


def target_key(entry: dict[str, Any]) -> tuple[str, tuple[tuple[str, str], ...]]:
    """指标 and 条件: what makes two target entries the same target."""
    cond = entry.get("条件") or {}
    return str(entry["指标"]), tuple(sorted((str(k), str(v)) for k, v in cond.items()))


@lru_cache(maxsize=1)
def params_schema() -> dict[str, Any]:
    """The declared keys of a parameters file and their types (JSON Schema, kept as data
    in rules/parameters.schema.yaml so adding a key is one entry)."""
    return yamltext.load(SCHEMA_FILE.read_text(encoding="utf-8"))


def _expected(schema: dict[str, Any], key: str) -> str:
    spec = schema["properties"].get(key, {})
    if "$ref" in spec:
        spec = schema["$defs"][spec["$ref"].rsplit("/", 1)[-1]]
    if "description" in spec and "anyOf" in spec:
        return spec["description"]
    types = spec.get("type", [])
    types = [types] if isinstance(types, str) else types
    return "或".join(_TYPE_WORDS.get(t, t) for t in types if t != "null")


@lru_cache(maxsize=1)
def _validator_class() -> Any:
    """jsonschema's Draft 2020-12 validator, imported without the IRI grammar.

    jsonschema compiles an Earley parser for RFC 3987 at import when rfc3987-syntax is
    installed (JupyterLab brings it): 1.7 s in every process that reads a parameters
    file, for a ``format`` check our schema never asks for. The grammar is kept out of
    this import only; a later direct import of rfc3987_syntax works as before."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
        try:
            import jsonschema
        finally:
            del sys.modules["rfc3987_syntax"]
    else:
        import jsonschema
    return jsonschema.Draft202012Validator


def _check_schema(f: _File, data: dict[str, Any]) -> None:
    """Every key declared, every value of its type. An unknown key is refused with the
    closest declared ones: 特色亮點 or 荣誉称号 silently ignored would drop a whole section
    of the summary without a word."""
    schema = params_schema()
    known = list(schema["properties"])
    for key in data:
        if key in schema["properties"]:
            continue
        close = difflib.get_close_matches(key, known, n=2, cutoff=0.5)
        hint = (f"，是不是“{'”或“'.join(close)}”？" if close
                else f"。可以写的键有：{'、'.join(known)}")
        raise f.error(f"中有不认识的键“{key}”{hint}")
    plain = json.loads(json.dumps(data, ensure_ascii=False, default=str))
    errors = sorted(_validator_class()(schema).iter_errors(plain),
                    key=lambda e: [str(p) for p in e.path])
    if errors:
        err = errors[0]
        key = str(err.path[0]) if err.path else ""
        if err.validator == "minimum":
            raise f.error(f"中“{key}”不能小于{err.validator_value}")
        raise f.error(f"中“{key}”应是{_expected(schema, key)}")


def _load(path: Path, from_defaults: bool, community: str | None
          ) -> tuple[dict[str, Any], list[tuple[int, int | None, dict[str, Any]]]]:
    f = _File(path, from_defaults, community)
    data, lines = _read_yaml(f)
    entries = _entries(f, data, lines)
    _check_schema(f, data)
    if community is not None and data.get("社区名称") not in (None, ""):
        named = str(data["社区名称"]).strip()
        if named != community:
            raise f.error(f"中的社区名称写的是“{named}”，与文件名“{community}”不一致")
    if APPENDED in data and not isinstance(data[APPENDED], (list, str, type(None))):
        raise f.error("中的补充问题应是一个列表")
    return data, entries


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------

def load_defaults(params_dir: Path | str | None, street: str | None = None) -> dict[str, Any]:
    """The street's parameters: defaults.yaml, or the built-in empty defaults.

    With no folder (None) or a folder without defaults.yaml the run still works: no
    street-wide targets, and every other module falls back to its own built-ins. A
    district keeps one folder per street beside the shared defaults.yaml; with ``street``
    given, ``<street>/defaults.yaml`` is merged over the shared one (as a community's file
    is: targets by 指标 and 条件), so one district folder serves every street.
    Raises ParamsError (``from_defaults`` True) for a defaults.yaml that cannot be used;
    a street's own defaults.yaml that cannot be used fails only that street's communities.
    """
    base = copy.deepcopy(BUILTIN_DEFAULTS)
    if params_dir is None:
        return base
    path = Path(params_dir) / DEFAULTS_FILE
    merged = base
    if path.is_file():
        data, entries = _load(path, from_defaults=True, community=None)
        merged = merge(base, {k: v for k, v in data.items() if k != TARGETS})
        merged[TARGETS] = [e for _, _, e in entries]
    folder = _street_folder(Path(params_dir), street)
    if folder is not None and (folder / DEFAULTS_FILE).is_file():
        own_path = folder / DEFAULTS_FILE
        data, entries = _load(own_path, from_defaults=False, community=None)
        f = _File(own_path, False, None)
        f.name = f"{street}/{DEFAULTS_FILE}"
        targets = _merge_targets(merged[TARGETS], entries, f)
        merged = merge(merged, {k: v for k, v in data.items() if k != TARGETS})
        merged[TARGETS] = targets
    return merged


def _street_folder(params_dir: Path, street: str | None) -> Path | None:
    """``parameters/<街道>/`` when there is one (a street name is never a path)."""
    if not street or "/" in street or "\\" in street or street.startswith("."):
        return None
    folder = params_dir / street
    return folder if folder.is_dir() else None


def _community_file(params_dir: Path, community: str) -> Path | None:
    found = [p for p in (params_dir / f"{community}.yaml", params_dir / f"{community}.yml")
             if p.is_file()]
    if len(found) > 1:
        raise ParamsError(f"参数目录中同时有 {found[0].name} 和 {found[1].name}，请只保留一个",
                          file=found[0].name, community=community)
    return found[0] if found else None


def community_file(params_dir: Path | str | None, community: str,
                   street: str | None = None) -> Path | None:
    """The community's own file: ``<街道>/<社区名称>.yaml`` (a district's layout) when the
    street has a folder holding one, else ``<社区名称>.yaml`` (a street's flat layout)."""
    if params_dir is None:
        return None
    folder = _street_folder(Path(params_dir), street)
    found = _community_file(folder, community) if folder is not None else None
    return found or _community_file(Path(params_dir), community)


def year_file(params_dir: Path | str | None, community: str, year: int | None,
              street: str | None = None) -> Path | None:
    """``<社区名称>.<年>.yaml``: a community's parameters for one year (an adopted plan
    draft), beside its own file in the street's folder or the flat folder."""
    if params_dir is None or year is None:
        return None
    name = f"{community}.{int(year)}"
    folder = _street_folder(Path(params_dir), street)
    found = _community_file(folder, name) if folder is not None else None
    return found or _community_file(Path(params_dir), name)


def load_params(params_dir: Path | str | None, community: str, street: str | None = None,
                notes: list[str] | None = None, year: int | None = None) -> dict[str, Any]:
    """A community's parameters: the street's defaults with its own file merged in, and
    with ``year`` given its ``<社区名称>.<年>.yaml`` merged over both the same way (an
    adopted 工作计划 draft: next year's targets replace this year's by 指标 and 条件, while
    特色亮点 and the rest stay in the community's own file).

    ``street`` is the workbook's 所属街道. A community's file that names another street
    (its ``所属街道``) belongs to a namesake community elsewhere in the district: it is
    not applied (the community gets its street's defaults only) and a Chinese note saying
    so, naming the file and both streets, is added to ``notes``.
    Raises ParamsError: ``from_defaults`` True when defaults.yaml is at fault (the run
    stops), False when the community's own file is (that community fails).
    """
    defaults = load_defaults(params_dir, street)
    if params_dir is None:
        return defaults
    merged = defaults
    own = community_file(params_dir, community, street)
    if own is not None:
        merged = _overlay(Path(params_dir), defaults, own, community, street, notes)
        if merged is None:
            return defaults
    adopted = year_file(params_dir, community, year, street)
    if adopted is not None:  # a namesake's year file is left out, the own file kept
        merged = _overlay(Path(params_dir), merged, adopted, community, street, notes) or merged
    return merged


def _overlay(params_dir: Path, base: dict[str, Any], path: Path, community: str,
             street: str | None, notes: list[str] | None) -> dict[str, Any] | None:
    """``base`` with one community file merged in; None for a namesake's file."""
    data, entries = _load(path, from_defaults=False, community=community)
    f = _File(path, False, community)
    declared = data.get(STREET_KEY)
    declared = "" if declared is None else str(declared).strip()
    if street and declared and declared != street:
        shown = _shown_path(params_dir, path)
        if notes is not None:
            notes.append(f"参数文件 {shown} 写的所属街道是“{declared}”，而{community}台账的所属"
                         f"街道是“{street}”：该文件不用于{street}{community}，本社区只使用街道"
                         f"统一参数（同名社区请各用“参数目录/街道/社区名称.yaml”）")
        return None
    merged = merge(base, {k: v for k, v in data.items() if k != TARGETS})
    merged[TARGETS] = _merge_targets(base[TARGETS], entries, f)
    return merged


def _shown_path(params_dir: Path, path: Path) -> str:
    try:
        return path.relative_to(params_dir).as_posix()
    except ValueError:
        return path.name


def _merge_targets(street: list[dict[str, Any]],
                   own: list[tuple[int, int | None, dict[str, Any]]], f: _File
                   ) -> list[dict[str, Any]]:
    """The street's targets in their order, replaced or removed by the community's, then
    the community's new ones."""
    out = [dict(e) for e in street]
    index = {target_key(e): i for i, e in enumerate(out)}
    removed: set[int] = set()
    for n, line, entry in own:
        key = target_key(entry)
        if key in index:
            if entry["目标"] is None:
                removed.add(index[key])
            else:
                out[index[key]] = dict(entry)
        elif entry["目标"] is None:
            raise f.error(f"要删除的目标（{entry['指标']}，{_cond_text(entry.get('条件'))}）在 "
                          f"{DEFAULTS_FILE} 中不存在，请核对指标和条件", n, None, line)
        else:
            out.append(dict(entry))
    return [e for i, e in enumerate(out) if i not in removed]


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """report.md's rule for every key but targets: mappings merge key by key (a null
    stays, so a community can switch off a street rule), lists and values replace,
    补充问题 is added to."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if key == APPENDED:
            add = [value] if isinstance(value, str) else list(value or [])
            have = out.get(APPENDED)
            have = [have] if isinstance(have, str) else list(have or [])
            out[key] = have + add
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_mapping(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def merge_mapping(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``override`` over ``base``: a mapping merges key by key, anything else replaces
    (a street's file over the shipped one: 版块 fields, a 文种's 期间措辞)."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge_mapping(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def community_targets(merged: dict[str, Any]) -> list[Target]:
    """The merged targets, read, in the order the report lists them."""
    out = []
    for i, entry in enumerate(merged.get(TARGETS) or [], start=1):
        if entry.get("目标") is None:
            continue
        source = entry.get("来源") or f"targets 第{i}条"
        out.append(parse_target(entry["目标"], entry["指标"], entry.get("条件"), source))
    return out
