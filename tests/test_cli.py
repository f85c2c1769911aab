"""The `shequ-kit` command as an analyst types it: the real console script over the
committed sample street and over small workbooks written here with openpyxl.

Expected figures are worked out by hand from the rows written in each test.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from shequ_kit import cli, schema
from shequ_kit.catalogue import CATALOGUE

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample"
SCRIPT = Path(sys.executable).parent / "shequ-kit"
SAMPLE_NAMES = ("天运社区", "望江社区", "柳岸社区", "桂花社区", "松林社区", "紫荆社区",
                "翠苑社区", "明月社区", "景园社区", "丰乐社区", "新塘社区", "安澜社区")

BASE_KEYS = {"community", "year", "period", "id", "name", "unit", "value", "numerator",
             "denominator", "previous"}
TARGET_KEYS = {"target", "status", "gap", "gap_text"}
ALLOWED_KEYS = BASE_KEYS | TARGET_KEYS | {"condition", "level"}


def shequ_kit(*args: str | Path, cwd: Path = ROOT, timeout: int = 600
              ) -> subprocess.CompletedProcess[str]:
    """Run the installed console script, as a user's shell would."""
    assert SCRIPT.exists(), f"未安装命令：{SCRIPT}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    return subprocess.run([str(SCRIPT), *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, encoding="utf-8", timeout=timeout, env=env)


# ---------------------------------------------------------------------------
# Small workbooks
# ---------------------------------------------------------------------------

def check_digit(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def valid_id(n: int) -> str:
    first = f"9901011990{n:02d}0101{n:03d}"[:17]
    return first + check_digit(first)


def wrong_check_id(n: int) -> str:
    good = valid_id(n)
    bad = "0" if good[-1] != "0" else "1"
    return good[:17] + bad


def d(text: str) -> datetime:
    return datetime.fromisoformat(text)


def write(path: Path, profile: dict, sheets: dict[str, list[list]]) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "基本情况"
    ws.append(["项目", "数值"])
    for k, v in profile.items():
        ws.append([k, v])
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for r in rows:
            ws.append(r)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def profile(name: str, street: str = "测试街道", population: int = 5000) -> dict:
    return {"社区名称": name, "所属街道": street, "户数": 2000, "户籍人口": 4500,
            "常住人口": population}


INFO_HEAD = ["序号", "报送日期", "标题", "是否录用"]


def info_rows(submitted: int, adopted: int) -> list[list]:
    rows = [INFO_HEAD]
    for i in range(submitted):
        rows.append([i + 1, d(f"2024-{i % 12 + 1:02d}-10"), f"工作简报第{i + 1}期",
                     "是" if i < adopted else "否"])
    return rows


def broken(path: Path) -> Path:
    """A file named .xlsx that is not a workbook (a renamed download, a truncated copy)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"PK\x03\x04 this is not a workbook")
    return path


@pytest.fixture()
def two_communities(tmp_path: Path) -> Path:
    """Two communities of one street with 信息报送台账 only: 4 submitted, 1 adopted and
    6 submitted, 5 adopted."""
    data = tmp_path / "data"
    write(data / "2024" / "甲社区.xlsx", profile("甲社区"), {"信息报送台账": info_rows(4, 1)})
    write(data / "2024" / "乙社区.xlsx", profile("乙社区"), {"信息报送台账": info_rows(6, 5)})
    return data


NO_PARAMS = "无参数目录"  # a folder that does not exist: no targets, built-in defaults


# ---------------------------------------------------------------------------
# Help and wrong options
# ---------------------------------------------------------------------------

def test_help_is_chinese() -> None:
    res = shequ_kit("-h")
    assert res.returncode == 0
    out = res.stdout
    assert "用法：" in out and "子命令" in out and "显示帮助并退出" in out
    for name in ("sample", "template", "validate", "indicators", "run"):
        assert name in out
    assert "usage:" not in out and "show this help" not in out
    assert "positional arguments" not in out and "options:" not in out


@pytest.mark.parametrize("command, phrase", [
    ("validate", "台账目录"), ("indicators", "街道合计"), ("run", "并行进程数"),
    ("template", "模板文件"), ("sample", "社区数"),
])
def test_subcommand_help_is_chinese(command: str, phrase: str,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main([command, "-h"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    assert "用法：" in out and phrase in out and "选项" in out
    assert "usage:" not in out and "show this help" not in out


def test_help_columns_line_up_with_chinese_placeholders(
        capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli.main(["indicators", "-h"])
    out = capsys.readouterr().out
    starts = []
    for option, help_text in [("--data", "台账目录"), ("--year", "年份"),
                              ("--community", "只计算这个社区"), ("--street", "同时输出街道合计"),
                              ("-h, --help", "显示帮助并退出")]:
        line = next(ln for ln in out.splitlines() if ln.lstrip().startswith(option))
        # terminal column where the help text starts; Chinese characters take two
        prefix = line[: line.rindex(help_text)]
        starts.append(sum(2 if unicodedata.east_asian_width(c) in "WF" else 1
                          for c in prefix))
    assert len(set(starts)) == 1, starts
    assert "--data 目录" in out and "--year 年份" in out


def test_wrong_option_is_a_chinese_error() -> None:
    res = shequ_kit("validate", "--data", "data/sample", "--year", "2024", "--colour")
    assert res.returncode == 2
    assert "错误" in res.stderr and "无法识别的参数" in res.stderr and "--colour" in res.stderr
    assert "unrecognized" not in res.stderr and "error:" not in res.stderr


@pytest.mark.parametrize("argv, phrase", [
    (["validate", "--data", "data/sample"], "缺少必需的参数"),
    (["validate", "--data", "data/sample", "--year", "今年"], "不是有效的整数"),
    (["publish"], "无效的选择"),
])
def test_argument_errors_are_chinese(argv: list[str], phrase: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert phrase in err and "用法：" in err
    assert "required" not in err and "invalid" not in err


def test_no_subcommand_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main([]) == 2
    assert "子命令" in capsys.readouterr().out


# ---------------------------------------------------------------------------
# sample, template, run
# ---------------------------------------------------------------------------

def test_sample_writes_readable_workbooks(tmp_path: Path) -> None:
    out = tmp_path / "街道"
    res = shequ_kit("sample", "--out", out, "--communities", "2", "--years", "2024")
    assert res.returncode == 0, res.stderr
    files = sorted((out / "2024").glob("*.xlsx"))
    assert len(files) == 2
    assert "已生成2个示例台账" in res.stdout
    for f in files:
        wb = openpyxl.load_workbook(f, read_only=True)
        assert "基本情况" in wb.sheetnames
        assert any(name.replace(" ", "") == "活动台账" for name in wb.sheetnames)
        wb.close()


def test_template_sheets_read_back(tmp_path: Path) -> None:
    target = tmp_path / "台账模板.xlsx"
    res = shequ_kit("template", "--out", target, "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 0, res.stderr
    assert "已生成台账模板" in res.stdout
    wb = openpyxl.load_workbook(target)
    for sheet in schema.SHEETS:
        assert sheet.name in wb.sheetnames
    header = [c.value for c in wb["活动台账"][1]]
    assert header[:3] == ["序号", "日期", "条线"]


def test_run_without_data_folder_is_a_chinese_failure(tmp_path: Path) -> None:
    res = shequ_kit("run", "--data", tmp_path / "没有这个目录", "--year", "2024",
                    "--out", tmp_path / "out", "--params", tmp_path / NO_PARAMS)
    assert res.returncode != 0
    text = res.stdout + res.stderr
    assert "未找到台账目录" in text
    assert "Traceback" not in text
    assert not (tmp_path / "out" / "2024").exists() or \
        not any((tmp_path / "out" / "2024").rglob("*.pdf"))


@pytest.mark.parametrize("command", ["validate", "indicators"])
def test_missing_year_folder_stops_with_a_chinese_message(command: str, tmp_path: Path
                                                          ) -> None:
    (tmp_path / "data" / "2023").mkdir(parents=True)
    res = shequ_kit(command, "--data", tmp_path / "data", "--year", "2024", "--params",
                    tmp_path / NO_PARAMS)
    assert res.returncode == 2
    assert "未找到2024年的台账目录" in res.stderr and "Traceback" not in res.stderr
    assert res.stdout == ""


# ---------------------------------------------------------------------------
# validate
# ---------------------------------------------------------------------------

def _blocks(stdout: str) -> dict[str, list[str]]:
    """Community heading 【名称】… → the indented problem lines under it."""
    blocks: dict[str, list[str]] = {}
    current: str | None = None
    for line in stdout.splitlines():
        m = re.match(r"【(.+?)】", line)
        if m:
            current = m.group(1)
            assert current not in blocks, f"{current} 出现两次"
            blocks[current] = [line]
        elif line.startswith("  ") and current is not None:
            blocks[current].append(line)
    return blocks


def test_the_bundled_sample_passes_its_own_validate() -> None:
    res = shequ_kit("validate", "--data", "data/sample", "--year", "2024")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "共检查12个社区。未发现错误。" in res.stdout
    assert "错误：" not in res.stdout


def test_validate_groups_problems_by_community(tmp_path: Path) -> None:
    made = shequ_kit("sample", "--out", tmp_path / "street", "--errors")
    assert made.returncode == 0, made.stderr
    res = shequ_kit("validate", "--data", tmp_path / "street", "--year", "2024")
    assert res.returncode == 1, res.stdout + res.stderr  # planted errors
    blocks = _blocks(res.stdout)
    assert sorted(blocks) == sorted(SAMPLE_NAMES)
    for name, lines in blocks.items():
        for line in lines[1:]:
            assert f"{name}.xlsx" in line, line
    liuan = "\n".join(blocks["柳岸社区"])
    assert "2024-13-45" in liuan and "活动台账" in liuan and "错误" in liuan
    assert "噪音扰民" in "\n".join(blocks["松林社区"])
    assert "噪音扰民" not in "\n".join(blocks["柳岸社区"])
    jingyuan = blocks["景园社区"]
    assert "错误0条" in jingyuan[0]  # only a check-digit warning was planted there
    assert any("警告" in ln and "志愿者名册" in ln for ln in jingyuan[1:])
    assert "共检查12个社区" in res.stdout and "存在错误" in res.stdout


def test_validate_one_community_of_sample_without_errors_exits_0() -> None:
    res = shequ_kit("validate", "--data", "data/sample", "--year", "2024",
                    "--community", "天运社区")
    assert res.returncode == 0, res.stdout + res.stderr
    assert list(_blocks(res.stdout)) == ["天运社区"]
    assert "共检查1个社区" in res.stdout


def test_validate_exit_codes_errors_warnings_and_unreadable_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    volunteers = [["序号", "志愿者编号", "姓名", "身份证号", "注册日期"],
                  [1, "1001", "郁金香", wrong_check_id(1), d("2023-05-01")]]
    write(data / "2024" / "甲社区.xlsx", profile("甲社区"), {"志愿者名册": volunteers})
    # only a warning: exit 0
    res = shequ_kit("validate", "--data", data, "--year", "2024", "--params",
                    tmp_path / NO_PARAMS)
    assert res.returncode == 0, res.stdout + res.stderr
    blocks = _blocks(res.stdout)
    assert list(blocks) == ["甲社区"]
    assert "错误0条" in blocks["甲社区"][0] and "警告1条" in blocks["甲社区"][0]
    assert "校验" in blocks["甲社区"][1]
    assert "郁金香" not in res.stdout + res.stderr
    assert wrong_check_id(1) not in res.stdout + res.stderr
    assert wrong_check_id(1)[-4:] in res.stdout  # masked, the last four kept

    # an error (a date that is not a date) in a second community: exit 1
    activities = [["序号", "日期", "条线", "活动名称", "活动类型", "参与人次"],
                  [1, d("2024-03-05"), "普法", "宪法宣传", "宣传", 30],
                  [2, "2024-13-45", "普法", "民法典讲座", "讲座培训", 20]]
    write(data / "2024" / "乙社区.xlsx", profile("乙社区"), {"活动台账": activities})
    # and a workbook that cannot be opened
    broken(data / "2024" / "丙社区.xlsx")
    res = shequ_kit("validate", "--data", data, "--year", "2024", "--params",
                    tmp_path / NO_PARAMS)
    assert res.returncode == 1
    out = res.stdout + res.stderr
    assert "丙社区.xlsx" in out
    blocks = _blocks(res.stdout)
    assert {"甲社区", "乙社区"} <= set(blocks)  # the others are still checked
    yi = "\n".join(blocks["乙社区"])
    assert "错误1条" in blocks["乙社区"][0]
    assert "2024-13-45" in yi and "第3行" in yi and "日期" in yi
    assert "Traceback" not in out


def test_validate_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "data" / "2024").mkdir(parents=True)
    res = shequ_kit("validate", "--data", tmp_path / "data", "--year", "2024",
                    "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 1
    assert "没有找到台账" in res.stdout + res.stderr


# ---------------------------------------------------------------------------
# indicators
# ---------------------------------------------------------------------------

def test_indicators_json_has_exactly_the_contract_keys(two_communities: Path,
                                                        tmp_path: Path) -> None:
    res = shequ_kit("indicators", "--data", two_communities, "--year", "2024", "--json",
                    "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["community"] for r in rows} == {"甲社区", "乙社区"}
    jia = [r for r in rows if r["community"] == "甲社区"]
    # without targets and 条件: one row per catalogue indicator, with the ten keys
    assert sorted(r["id"] for r in jia) == sorted(CATALOGUE)
    for r in jia:
        assert set(r) == BASE_KEYS, r
        assert r["year"] == 2024 and r["period"] == ["2024-01-01", "2024-12-31"]
    by_id = {r["id"]: r for r in jia}
    rate = by_id["info.adoption_rate"]
    assert rate["value"] == pytest.approx(0.25)
    assert (rate["numerator"], rate["denominator"]) == (1, 4)
    assert rate["name"] == "信息录用率" and rate["unit"] == "%"
    assert rate["previous"] is None  # no 2023 folder: 无上年数据, never 0
    assert by_id["info.submitted"]["value"] == 4 and isinstance(by_id["info.submitted"]["value"], int)
    assert by_id["activity.count"]["value"] is None  # no 活动台账: 无数据
    assert not any(r.get("level") for r in rows)  # no street rows without --street


def test_indicators_street_pools_rates(two_communities: Path, tmp_path: Path) -> None:
    res = shequ_kit("indicators", "--data", two_communities, "--year", "2024", "--json",
                    "--street", "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    street = [r for r in rows if r.get("level") == "street"]
    assert street and all(r["community"] == "测试街道" for r in street)
    for r in street:
        assert set(r) == BASE_KEYS | {"level"}, r
    by_id = {r["id"]: r for r in street}
    # pooled: (1 + 5) / (4 + 6) = 0.6, not the mean of 0.25 and 0.8333 (0.5417)
    rate = by_id["info.adoption_rate"]
    assert rate["value"] == pytest.approx(0.6)
    assert (rate["numerator"], rate["denominator"]) == (6, 10)
    assert by_id["info.submitted"]["value"] == 10 and by_id["info.adopted"]["value"] == 6
    # population 5000 + 5000; 户籍人口 4500 + 4500
    assert by_id["profile.population"]["value"] == 10000
    assert by_id["activity.count"]["value"] is None  # neither keeps an 活动台账
    assert "activity.months_covered" not in by_id  # has no street total
    # street rows come after the communities' rows
    first_street = next(i for i, r in enumerate(rows) if r.get("level") == "street")
    assert all(r.get("level") == "street" for r in rows[first_street:])


def test_indicators_text_table(two_communities: Path, tmp_path: Path) -> None:
    res = shequ_kit("indicators", "--data", two_communities, "--year", "2024", "--street",
                    "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 0, res.stderr
    out = res.stdout
    a, b, s = out.index("【甲社区】"), out.index("【乙社区】"), out.index("【测试街道　街道合计】")
    assert max(a, b) < s  # street totals after every community
    jia = out[a:s] if a > b else out[a:b]
    yi = out[b:s] if b > a else out[b:a]
    # 1/4 = 25.0%, 5/6 = 83.3%, pooled 6/10 = 60.0%
    assert "25.0%" in jia and "83.3%" in yi and "60.0%" in out[s:]
    assert "无数据" in jia
    assert "指标" in out and "数值" in out and "上年" in out and "同比" in out


def test_indicators_failing_community_exit_1_others_printed(two_communities: Path,
                                                           tmp_path: Path) -> None:
    broken(two_communities / "2024" / "丙社区.xlsx")
    res = shequ_kit("indicators", "--data", two_communities, "--year", "2024", "--json",
                    "--params", tmp_path / NO_PARAMS)
    assert res.returncode == 1
    rows = json.loads(res.stdout)  # stdout stays valid JSON
    assert {r["community"] for r in rows} == {"甲社区", "乙社区"}
    assert "丙社区" in res.stderr and "错误" in res.stderr
    assert "Traceback" not in res.stderr


def test_indicators_relative_data_folder_is_taken_from_where_the_user_is(
        two_communities: Path, tmp_path: Path) -> None:
    res = shequ_kit("indicators", "--data", "data", "--year", "2024", "--json",
                    "--params", NO_PARAMS, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert {r["community"] for r in json.loads(res.stdout)} == {"甲社区", "乙社区"}


def test_indicators_sample_with_targets_and_conditions() -> None:
    res = shequ_kit("indicators", "--data", "data/sample", "--year", "2024", "--json",
                    "--community", "天运社区")
    assert res.returncode == 0, res.stderr
    rows = json.loads(res.stdout)
    assert {r["community"] for r in rows} == {"天运社区"}
    for r in rows:
        assert BASE_KEYS <= set(r) <= ALLOWED_KEYS, r
        assert "level" not in r
        targeted = TARGET_KEYS & set(r)
        assert targeted in (set(), TARGET_KEYS), r
    # defaults.yaml: 每月至少开展一次 on activity.count with 条件 {条线: 普法}
    pufa = [r for r in rows if r["id"] == "activity.count" and r.get("condition") == {"条线": "普法"}]
    assert len(pufa) == 1 and pufa[0]["target"] == "每月至少开展一次"
    assert pufa[0]["status"] in ("完成", "未完成", "未达预期", "无法评估")
    plain = [r for r in rows if r["id"] == "activity.count" and "condition" not in r]
    assert len(plain) == 1
    assert plain[0]["previous"] is not None  # 2023 is in the sample


# ---------------------------------------------------------------------------
# Personal data never leaves the ledgers
# ---------------------------------------------------------------------------

ID_RE = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _norm(text: object) -> str:
    s = re.sub(r"\s+", "", str(text))
    return s.replace("（", "(").replace("）", ")")


def _personal_headers() -> set[str]:
    """Headers (and aliases) of the personal columns of the contract: names, IDs, phones."""
    out: set[str] = set()
    for sheet_name, col_name in schema.personal_columns():
        col = schema.SHEETS_BY_NAME[sheet_name].column(col_name)
        if col.personal:
            out.add(_norm(col.name))
            out.update(_norm(a) for a in col.aliases)
    return out


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def personal_values(folder: Path) -> tuple[set[str], set[str], set[str]]:
    """(names, IDs, phones) written anywhere in the workbooks of ``folder``."""
    headers = _personal_headers()
    names: set[str] = set()
    ids: set[str] = set()
    phones: set[str] = set()
    for path in sorted(folder.rglob("*.xlsx")):
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            personal_cols: dict[int, str] = {}
            for r in rows[:20]:
                for j, v in enumerate(r):
                    if v is not None and _norm(v) in headers:
                        personal_cols[j] = _norm(v)
                if personal_cols:
                    break
            for r in rows:
                for j, v in enumerate(r):
                    if v is None:
                        continue
                    text = _cell_text(v)
                    ids.update(m.upper() for m in ID_RE.findall(text))
                    phones.update(PHONE_RE.findall(text))
                    if j in personal_cols and "姓名" in personal_cols[j] and \
                            text and _norm(text) not in headers:
                        names.add(text)
        wb.close()
    return names, ids, phones


def test_no_personal_data_in_any_output() -> None:
    names, ids, phones = personal_values(SAMPLE)
    # the sample is full of fake people: the scan cannot pass by finding nothing
    assert len(names) > 100 and len(ids) > 100 and len(phones) > 20
    outputs = []
    for year in ("2024", "2023"):
        for extra in ([], ["--json"], ["--street"], ["--json", "--street"]):
            res = shequ_kit("indicators", "--data", "data/sample", "--year", year, *extra)
            assert res.returncode in (0, 1), res.stderr
            outputs.append(res.stdout + res.stderr)
        res = shequ_kit("validate", "--data", "data/sample", "--year", year)
        outputs.append(res.stdout + res.stderr)
    text = "\n".join(outputs)
    assert "【天运社区】" in text and "\"community\": \"天运社区\"" in text
    leaked_ids = [i for i in ids if i in text.upper()]
    leaked_phones = [p for p in phones if p in text]
    leaked_names = sorted(n for n in names if n in text)
    assert not leaked_ids, [i[:6] + "…" for i in leaked_ids]
    assert not leaked_phones, [p[:3] + "…" for p in leaked_phones]
    assert not leaked_names, leaked_names
