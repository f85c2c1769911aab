"""A synthetic street: one workbook per community per year, with recognisably fake people.

The sample lets a new analyst (and the test suite) run the whole toolkit without touching
real residents' records. It is meant to look like what a street office actually
collects: volumes that follow population, a year shaped by festivals and campaign
months, the same households and volunteers from one year to the next, and a handful of
workbooks filled in the untidy ways ledgers.md tolerates, plus a few genuinely bad rows
so the analyst sees what a validation report looks like.

Everything is derived from the seed: the same seed gives byte-identical files.

Fake people are fake on purpose and visibly so:

* 身份证号 use region codes beginning with ``99``. No province, region or municipality
  has the code 99 in GB/T 2260, so no such ID can belong to anyone; the check digit is a
  valid GB 11643 one so the numbers pass the reader's checks like real ones.
* 手机号 lie in the 1740 block, which is set aside for satellite and emergency
  communication and not issued to residents.
* Names are a surname and one or two given-name characters, drawn so that no name is a
  word that could appear in a report (雷锋, 高峰, 陆军 …), an enum value, a column or a
  team name.
"""

from __future__ import annotations

import calendar
import io
import math
import random
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from . import schema
from .schema import BOOL, CODE, DATE, ENUM, ID, INT, NUMBER, PHONE, Sheet

__all__ = [
    "STREET", "COMMUNITY_NAMES", "STYLES", "PLANTED", "Planted", "Style",
    "generate", "sample_years", "summary", "fake_id", "check_digit", "community_names",
    "stop_words",
]

STREET = "青枫街道"

# The first is the community the report notebook opens on; the order fixes each
# community's size and how its workbooks are filled in (STYLES).
COMMUNITY_NAMES: tuple[str, ...] = (
    "天运社区", "望江社区", "柳岸社区", "桂花社区", "松林社区", "紫荆社区",
    "翠苑社区", "明月社区", "景园社区", "丰乐社区", "新塘社区", "安澜社区",
    "芳草社区", "锦绣社区", "临湖社区", "东篱社区", "枫桥社区", "云溪社区",
    "秋涛社区", "湖滨社区", "竹苑社区", "梅岭社区", "兰亭社区", "荷塘社区",
)

# 常住人口 of the first year, in COMMUNITY_NAMES order: spread from small old
# neighbourhoods to large new estates so that 党委, 党总支 and 党支部 all occur.
_POPULATIONS = (
    8620, 3150, 15480, 2240, 27600, 6830, 11900, 4410, 19750, 2860, 9340, 22400,
    5120, 13300, 3760, 7480, 17200, 2530, 24800, 6120, 10450, 4890, 14700, 8010,
)

# Region codes: "99" + street number + community number. Province code 99 does not
# exist in GB/T 2260, so these IDs are valid in form and belong to nobody.
_REGION_PREFIX = "99"
_STREET_NO = 1
# 1740 block: satellite and emergency communication, never issued to residents.
_PHONE_PREFIX = "1740"
_FIXED_TIME = (2025, 1, 8, 9, 0, 0)
_FIXED_STAMP = b"2025-01-08T09:00:00Z"

# ---------------------------------------------------------------------------
# Fake people
# ---------------------------------------------------------------------------

_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋杜叶程魏苏吕"
    "丁沈姚卢姜崔钟谭陆汪范廖贾夏韦付邹孟熊秦邱尹薛段雷侯史陶黎贺顾郝邵覃戴莫汤"
)
_GIVEN_M = "伟强磊军勇杰涛斌超刚辉鹏飞鑫宇浩凯健俊帆旭毅锋晨昊睿博哲瑞彬翔东海林峰明亮成志文"
_GIVEN_F = "芳娜敏静丽艳娟霞燕玲桂英秀兰萍梅琳莉婷雪慧颖倩洁佳欣悦怡蓉晶妍茜薇岚丹璐月婉"

# Words a name must never equal: words of the genre's prose and of everyday speech that
# a surname and a given-name character happen to spell. Enum values, sheet, column, team
# and community names are added by stop_words().
_COMMON_WORDS = frozenset("""
雷锋 高峰 陆军 汪洋 黎明 严明 余波 林海 朱红 金华 黄海 万宁 石林 马超 孔明 丁宁 高明 高洁 高超
高强 高亮 和平 建设 国家 文明 安全 平安 和谐 发展 服务 志愿 社区 居民 群众 党员 干部 领导 工作
成绩 问题 目标 任务 计划 总结 活动 宣传 教育 学习 培训 文化 卫生 健康 环境 消防 治安 稳定 民生
就业 创业 帮扶 救助 慰问 低保 残疾 老人 儿童 青年 妇女 家庭 邻里 纠纷 调解 隐患 整改 信息 简报
明月 秋月 春风 东风 海燕 海洋 林芳 梅花 兰花 桂花 秀丽 美丽 光明 明亮 晨光 曙光 朝阳 夕阳 星辰
周到 周明 许可 田园 夏天 秦岭 宋朝 唐朝 韩国 苏州 杭州 黄山 泰山 华山 龙华 叶飞 段落 钟表 汤圆
江海 江山 江南 金星 高潮 程序 邓州 史诗 郑州 谢谢 何时 孙子 马达 黄金 石磊 袁林 曾经 彭湃 蔡伦
卢浮 贺岁 陶瓷 郝好 韦伯 莫非 覃塘 戴帽 邵东 顾问 熊猫 秦汉 邱陵 尹东 段明 雷雨 侯鸟 黎民 付出
杨柳 杨林 柳林 松林 翠苑 景园 丰乐 新塘 安澜 芳草 锦绣 东篱 云溪 竹苑 梅岭 兰亭 荷塘 湖滨 望江
""".split())

# Team names of the 志愿者名册; a name must not equal one of them either.
_TEAMS = (
    "党员先锋服务队", "平安巡逻队", "巾帼志愿服务队", "青年志愿服务队", "银龄互助队",
    "文明劝导队", "环保志愿队", "助残服务队", "邻里互助队",
)


def check_digit(first17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2) check character for 17 digits."""
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    return "10X98765432"[total % 11]


def fake_id(region: str, birth: date, seq: int) -> str:
    """An 18-character ID on a non-existent region code; seq's parity is the sex (odd 男)."""
    body = f"{region}{birth:%Y%m%d}{seq:03d}"
    return body + check_digit(body)


def community_names(n: int) -> list[str]:
    """The first n sample community names (天运社区 first)."""
    if not 1 <= n <= len(COMMUNITY_NAMES):
        raise ValueError(f"示例社区数应在1到{len(COMMUNITY_NAMES)}之间，收到{n}")
    return list(COMMUNITY_NAMES[:n])


def stop_words() -> frozenset[str]:
    """Every word a fake name may not equal: prose words, enum values, headers, names."""
    words = set(_COMMON_WORDS) | set(_TEAMS) | set(COMMUNITY_NAMES) | {STREET}
    words |= {n.removesuffix("社区") for n in COMMUNITY_NAMES}
    for spec in schema.ENUMS.values():
        words |= set(spec.values) | set(spec.aliases)
    for sheet in schema.SHEETS:
        words.add(sheet.name)
        words |= set(sheet.aliases)
        for col in sheet.columns:
            words.add(col.name)
            words |= set(col.aliases)
    words |= set(schema.TOTAL_LABELS)
    return frozenset(words)


@dataclass(frozen=True)
class Person:
    name: str
    id: str
    sex: str
    birth: date
    phone: str


class People:
    """Mints distinct fake residents for one community."""

    def __init__(self, rng: random.Random, region: str):
        self.rng = rng
        self.region = region
        self.used: set[str] = set()
        self.stop = stop_words()

    def name(self, sex: str) -> str:
        pool = _GIVEN_M if sex == "男" else _GIVEN_F
        while True:
            surname = self.rng.choice(_SURNAMES)
            given = self.rng.choice(pool)
            if self.rng.random() < 0.6:
                given += self.rng.choice(pool)
                if given[0] == given[1] and self.rng.random() < 0.7:
                    continue
            name = surname + given
            if name not in self.stop and given not in self.stop:
                return name

    def person(self, year: int, age_lo: int, age_hi: int, sex: str | None = None) -> Person:
        rng = self.rng
        sex = sex or rng.choice("男女")
        while True:
            age = rng.randint(age_lo, age_hi)
            birth = date(year - age, 1, 1) + timedelta(days=rng.randrange(365))
            seq = rng.randrange(1, 500) * 2 - (1 if sex == "男" else 0)
            pid = fake_id(self.region, birth, seq)
            if pid not in self.used:
                self.used.add(pid)
                break
        phone = _PHONE_PREFIX + f"{rng.randrange(10_000_000):07d}"
        return Person(self.name(sex), pid, sex, birth, phone)


# ---------------------------------------------------------------------------
# How each community fills in its workbooks
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """The habits of whoever fills in a community's workbooks (ledgers.md, Tolerance)."""

    title: bool = False  # a merged title row and a 填报单位/填报日期 line above the header
    headers: str = "canonical"  # canonical | variants (spaces, breaks, （）, units) | aliases
    sheet_names: str = "canonical"  # canonical | variants (spaces, alias names)
    totals: bool = False  # a 合计 row with the literal column sums
    blank_rows: bool = False  # blank, pre-numbered and formatted-but-empty rows
    dates: str = "excel"  # excel | text (2024/5/6, 2024.5.6, 2024年5月6日, 20240506 …)
    numbers: str = "plain"  # plain | text (１２, 30人, 1,200元)
    bools: tuple[Any, Any] = ("是", "否")
    enums: str = "canonical"  # canonical | variants (suffixes, aliases, stray spaces)
    merged_dates: bool = False  # one 日期 cell merged over the same day's activities
    numeric_codes: bool = False  # 志愿者编号 typed as numbers in the 名册
    area_unit: bool = False  # 辖区面积 written as "35万平方米"
    dateless_rectified: bool = False  # some 已整改 hazards without a 整改日期
    missing: dict[int | None, tuple[str, ...]] = field(default_factory=dict)  # year/None=all
    drop_columns: tuple[str, ...] = ()  # optional columns this community does not keep
    quiet_month: tuple[int, int] | None = None  # (year offset from last, month) without activity


# One entry per position in COMMUNITY_NAMES; positions past the list repeat the clean style.
STYLES: tuple[Style, ...] = (
    Style(),  # 天运社区: tidy and complete, the showcase
    Style(),
    Style(title=True, headers="variants", totals=True, blank_rows=True, bools=("√", "×")),
    Style(missing={None: ("信息报送台账",)}),
    Style(dates="text", numbers="text", enums="variants", bools=("Y", "N"),
          dateless_rectified=True),
    Style(drop_columns=("发放资料(份)", "共建单位", "保障类型")),
    Style(title=True, headers="aliases", sheet_names="variants", merged_dates=True,
          numeric_codes=True, bools=(1, 0), area_unit=True),
    Style(missing={0: ("捐赠台账",)}),  # started keeping donations in the later year
    Style(title=True, totals=True, blank_rows=True, dates="text", bools=("有", "无"),
          headers="variants"),
    Style(),
    Style(quiet_month=(0, 8)),
    Style(),
)


@dataclass(frozen=True)
class Planted:
    """A deliberately bad row: what the reader must report, and where."""

    community: str
    year_offset: int  # 0 = the last year generated, -1 the one before
    sheet: str
    column: str
    value: str  # as written in the cell (masked form for IDs)
    severity: str  # 错误 or 警告
    why: str


PLANTED: tuple[Planted, ...] = (
    Planted("柳岸社区", 0, "活动台账", "日期", "{year}-13-45", "错误", "不是有效日期"),
    Planted("松林社区", 0, "矛盾纠纷台账", "纠纷类型", "噪音扰民", "错误", "不在枚举列表中"),
    Planted("翠苑社区", 0, "残疾人台账", "身份证号", "", "错误", "身份证号重复"),
    Planted("景园社区", 0, "志愿者名册", "身份证号", "", "警告", "校验位错误"),
)


def _style(index: int) -> Style:
    return STYLES[index] if index < len(STYLES) else Style()


# ---------------------------------------------------------------------------
# Calendar of the genre
# ---------------------------------------------------------------------------

_SPRING = {2020: date(2020, 1, 25), 2021: date(2021, 2, 12), 2022: date(2022, 2, 1),
           2023: date(2023, 1, 22), 2024: date(2024, 2, 10), 2025: date(2025, 1, 29),
           2026: date(2026, 2, 17)}
_DUANWU = {2020: date(2020, 6, 25), 2021: date(2021, 6, 14), 2022: date(2022, 6, 3),
           2023: date(2023, 6, 22), 2024: date(2024, 6, 10), 2025: date(2025, 5, 31),
           2026: date(2026, 6, 19)}
_ZHONGQIU = {2020: date(2020, 10, 1), 2021: date(2021, 9, 21), 2022: date(2022, 9, 10),
             2023: date(2023, 9, 29), 2024: date(2024, 9, 17), 2025: date(2025, 10, 6),
             2026: date(2026, 9, 25)}
_CHONGYANG = {2020: date(2020, 10, 25), 2021: date(2021, 10, 14), 2022: date(2022, 10, 4),
              2023: date(2023, 10, 23), 2024: date(2024, 10, 11), 2025: date(2025, 10, 29),
              2026: date(2026, 10, 18)}


def _festival(table: dict[int, date], year: int, fallback: tuple[int, int]) -> date:
    return table.get(year, date(year, *fallback))


@dataclass(frozen=True)
class Kind:
    """One kind of activity as communities record it."""

    line: str
    type: str
    names: tuple[str, ...]
    part: tuple[int, int]
    vol: tuple[int, int] = (0, 0)
    mat: tuple[int, int] = (0, 0)
    resident: bool = True
    partners: tuple[str, ...] = ()


def K(line: str, typ: str, names: str, part: tuple[int, int], vol: tuple[int, int] = (0, 0),  # noqa: N802
      mat: tuple[int, int] = (0, 0), resident: bool = True, partners: str = "") -> Kind:
    """Table shorthand: names and partners are separated by '|'."""
    return Kind(line, typ, tuple(names.split("|")), part, vol, mat, resident,
                tuple(p for p in partners.split("|") if p))


# (date rule, kind, probability) — the campaign calendar every street follows.
_SEASONAL: tuple[tuple[Callable[[int, random.Random], date], Kind, float], ...] = (
    (lambda y, r: date(y, 1, r.randint(2, 8)),
     K("文体", "文体", "迎新年趣味运动会|“喜迎元旦”居民联欢会", (60, 180), (5, 15)), 0.7),
    (lambda y, r: _festival(_SPRING, y, (2, 1)) - timedelta(days=r.randint(5, 12)),
     K("宣传文明", "节日活动", "“我们的节日·春节”写春联送福字活动|“迎新春 送祝福”写春联活动",
       (80, 220), (8, 20), partners="街道书画协会|社区老年大学"), 0.95),
    (lambda y, r: _festival(_SPRING, y, (2, 1)) - timedelta(days=r.randint(3, 15)),
     K("消防安全", "检查巡查", "春节前消防安全大检查|节前安全隐患排查", (6, 20), (2, 8)), 0.9),
    (lambda y, r: _festival(_SPRING, y, (2, 1)) + timedelta(days=r.randint(8, 14)),
     K("就业社保", "招聘就业", "“春风行动”就业招聘会|春风行动送岗位进社区", (60, 320), (4, 10),
       (100, 300), partners="区人力社保局|街道社区服务中心"), 0.8),
    (lambda y, r: _festival(_SPRING, y, (2, 1)) + timedelta(days=14),
     K("宣传文明", "节日活动", "“我们的节日·元宵”猜灯谜活动|“闹元宵”包汤圆猜灯谜", (70, 200),
       (6, 16)), 0.9),
    (lambda y, r: date(y, 3, 5),
     K("志愿服务", "志愿服务", "“学雷锋 树新风”志愿服务活动|学雷锋志愿服务集市|“三月雷锋月”便民服务",
       (80, 260), (20, 60), (50, 200)), 0.98),
    (lambda y, r: date(y, 3, r.randint(6, 8)),
     K("群团", "文体", "“三八”妇女节插花活动|庆“三八”巾帼健步走", (30, 90), (3, 8),
       partners="街道妇联"), 0.8),
    (lambda y, r: date(y, 3, 15),
     K("普法", "宣传", "“3·15”消费者权益保护宣传|诚信消费知识宣传", (60, 200), (4, 10),
       (100, 400), partners="市场监管所"), 0.7),
    (lambda y, r: date(y, 3, 12),
     K("环境卫生", "环境整治", "植树节“绿色家园”护绿行动|“添一抹新绿”义务植树", (30, 90), (10, 30)),
     0.6),
    (lambda y, r: date(y, 4, r.randint(2, 4)),
     K("宣传文明", "宣传", "“我们的节日·清明”文明祭扫宣传|清明节文明祭扫倡议", (50, 160), (3, 8),
       (100, 300)), 0.8),
    (lambda y, r: date(y, 4, 15),
     K("综治平安", "宣传", "全民国家安全教育日宣传|“4·15”国家安全知识进社区", (60, 200), (4, 10),
       (100, 400)), 0.85),
    (lambda y, r: date(y, 4, r.randint(20, 28)),
     K("社区教育", "讲座培训", "世界读书日亲子共读|“书香社区”读书分享会", (25, 80), (2, 6)), 0.6),
    (lambda y, r: date(y, 5, 12),
     K("应急管理", "应急演练", "“5·12”防灾减灾日应急疏散演练|防震减灾应急演练", (60, 240), (6, 16),
       (100, 300), partners="区应急管理局|辖区消防救援站"), 0.95),
    (lambda y, r: date(y, 5, r.randint(15, 21)),
     K("残疾人", "便民服务", "全国助残日“爱心助残”便民服务|助残日康复义诊", (40, 120), (8, 20),
       partners="社区卫生服务中心|区残联"), 0.9),
    (lambda y, r: date(y, 6, 1),
     K("未成年人", "文体", "“童心向党”六一游园会|庆“六一”亲子趣味活动", (80, 220), (10, 25),
       partners="辖区幼儿园"), 0.9),
    (lambda y, r: date(y, 6, r.randint(3, 12)),
     K("应急管理", "宣传", "“安全生产月”宣传咨询日|“人人讲安全 个个会应急”安全生产月宣传",
       (60, 220), (4, 10), (150, 500)), 0.95),
    (lambda y, r: date(y, 6, r.randint(10, 25)),
     K("消防安全", "检查巡查", "安全生产月九小场所检查|安全生产月沿街商铺安全检查", (6, 18), (2, 6)),
     0.9),
    (lambda y, r: _festival(_DUANWU, y, (6, 10)) - timedelta(days=r.randint(1, 4)),
     K("宣传文明", "节日活动", "“我们的节日·端午”包粽子活动|“粽叶飘香话端午”主题活动",
       (60, 180), (8, 20)), 0.95),
    (lambda y, r: date(y, 6, 26),
     K("综治平安", "宣传", "“6·26”国际禁毒日宣传|“健康人生 绿色无毒”禁毒宣传", (60, 200), (4, 10),
       (150, 400), partners="辖区派出所"), 0.85),
    (lambda y, r: date(y, 6, r.randint(27, 30)),
     K("党建", "会议学习", "庆“七一”党员大会|“七一”重温入党誓词活动", (30, 150), (2, 6)), 0.95),
    (lambda y, r: date(y, 7, r.randint(8, 14)),
     K("未成年人", "讲座培训", "暑期防溺水安全教育|“快乐暑假 安全相伴”防溺水宣传", (30, 90), (3, 8),
       (50, 200)), 0.9),
    (lambda y, r: date(y, 7, r.randint(15, 25)),
     K("未成年人", "文体", "“七彩假期”暑期公益课堂|“缤纷暑假”青少年手工课", (20, 60), (4, 12),
       partners="区青少年宫|街道社区学校"), 0.9),
    (lambda y, r: date(y, 7, r.randint(26, 31)),
     K("退役军人", "走访慰问", "“八一”走访慰问退役军人|“八一”建军节优抚对象座谈会", (10, 40),
       (2, 6)), 0.85),
    (lambda y, r: date(y, 8, 8),
     K("文体", "文体", "全民健身日健步走|“全民健身日”广场健身展示", (60, 200), (4, 10)), 0.7),
    (lambda y, r: date(y, 8, r.randint(10, 25)),
     K("未成年人", "志愿服务", "暑期“四点半课堂”作业辅导|大学生志愿者暑期托管", (20, 60), (6, 14),
       partners="共建高校团委"), 0.85),
    (lambda y, r: date(y, 9, r.randint(14, 21)),
     K("科普", "宣传", "全国科普日科普宣传|“科技点亮生活”科普日活动", (60, 220), (4, 10),
       (100, 300), partners="区科协"), 0.85),
    (lambda y, r: _festival(_ZHONGQIU, y, (9, 20)) - timedelta(days=r.randint(1, 5)),
     K("宣传文明", "节日活动", "“我们的节日·中秋”做月饼活动|“情暖中秋 邻里同乐”游园会",
       (60, 200), (8, 20)), 0.95),
    (lambda y, r: date(y, 9, r.randint(26, 29)),
     K("宣传文明", "文体", "“喜迎国庆”红歌合唱会|“我和我的祖国”快闪活动", (60, 200), (4, 10)), 0.8),
    (lambda y, r: _festival(_CHONGYANG, y, (10, 15)) - timedelta(days=r.randint(0, 3)),
     K("养老服务", "节日活动", "“我们的节日·重阳”敬老宴|重阳节“孝老爱亲”慰问活动", (50, 160),
       (10, 24), partners="社区卫生服务中心"), 0.95),
    (lambda y, r: date(y, 11, 9),
     K("消防安全", "宣传", "“119”消防宣传月启动仪式|“全民消防 生命至上”消防宣传", (80, 260),
       (6, 16), (200, 600), partners="辖区消防救援站"), 0.98),
    (lambda y, r: date(y, 11, r.randint(12, 25)),
     K("消防安全", "应急演练", "高层住宅消防疏散演练|消防宣传月灭火器实操演练", (50, 180), (6, 14),
       (50, 200), partners="辖区消防救援站|物业服务中心"), 0.9),
    (lambda y, r: date(y, 12, 1),
     K("卫生健康", "宣传", "“世界艾滋病日”防艾宣传|“12·1”预防艾滋病宣传", (50, 150), (3, 8),
       (100, 300), partners="社区卫生服务中心"), 0.75),
    (lambda y, r: date(y, 12, 4),
     K("普法", "宣传", "“12·4”国家宪法日宪法宣传|“宪法宣传周”法治宣传进小区", (60, 200),
       (4, 10), (150, 400), partners="街道司法所"), 0.95),
)

# Activities of any month: weight, kind.
_RECURRING: tuple[tuple[float, Kind], ...] = (
    (6, K("党建", "会议学习", "主题党日活动|“三会一课”党员学习|党史学习教育专题党课|党员冬训",
          (20, 80), (1, 4))),
    (2, K("党建", "会议学习", "社区两委班子学习会|网格员业务培训会", (8, 25), resident=False)),
    (3, K("普法", "讲座培训", "民法典进社区讲座|法律知识讲座|“法润万家”普法讲堂", (25, 80), (2, 6),
          (30, 120), partners="街道司法所|律师事务所")),
    (4, K("综治平安", "宣传", "反诈骗宣传进小区|“全民反诈”宣传|防范养老诈骗宣传", (40, 200),
          (3, 10), (80, 300), partners="辖区派出所")),
    (3, K("综治平安", "检查巡查", "平安巡逻|出租房屋安全排查|矛盾纠纷排查", (6, 25), (3, 12))),
    (4, K("消防安全", "讲座培训", "消防安全知识讲座|家庭防火知识讲座|电动自行车安全充电宣讲",
          (25, 90), (2, 6), (50, 200), partners="辖区消防救援站")),
    (3, K("消防安全", "检查巡查", "消防安全隐患排查|电动自行车违规充电专项检查|楼道堆物清理检查",
          (5, 20), (2, 8))),
    (5, K("环境卫生", "环境整治", "“清洁家园”环境卫生整治|小区卫生死角清理|楼道“清爽行动”",
          (20, 80), (8, 30))),
    (3, K("环境卫生", "宣传", "垃圾分类宣传|“垃圾分类 从我做起”主题宣传", (40, 160), (4, 12),
          (80, 300))),
    (4, K("卫生健康", "便民服务", "社区义诊|健康体检进社区|中医养生义诊", (40, 150), (3, 8),
          partners="社区卫生服务中心")),
    (3, K("卫生健康", "讲座培训", "健康知识讲座|慢性病防治讲座|心肺复苏急救培训", (20, 70), (1, 4),
          (20, 100), partners="社区卫生服务中心")),
    (5, K("文体", "文体", "广场舞展演|太极拳培训|书画交流会|棋类友谊赛|社区合唱团排练",
          (20, 120), (1, 5))),
    (4, K("养老服务", "便民服务", "老年人智能手机培训|高龄老人集体生日会|助老理发进社区",
          (20, 70), (4, 12))),
    (2, K("养老服务", "入户走访", "独居老人入户探访|高龄老人上门巡访", (10, 50), (3, 10))),
    (3, K("就业社保", "招聘就业", "就业援助专场招聘会|“家门口就业”招聘会", (40, 220), (2, 6),
          (50, 200), partners="区人力社保局")),
    (2, K("就业社保", "讲座培训", "创业培训（SYB）|就业技能培训|医保政策宣讲", (20, 60), (1, 3),
          (20, 80))),
    (2, K("民政救助", "入户走访", "困难家庭入户走访|低保家庭动态核查", (10, 40), (1, 4))),
    (2, K("残疾人", "便民服务", "残疾人康复指导|残疾人辅具适配服务", (10, 40), (2, 6),
          partners="区残联")),
    (3, K("志愿服务", "志愿服务", "“邻里守望”志愿服务|文明劝导志愿服务|“周末志愿行”便民服务",
          (20, 90), (10, 40))),
    (2, K("群团", "讲座培训", "“妇女之家”家庭教育讲座|职工心理健康讲座", (20, 60), (1, 4),
          partners="街道妇联|街道总工会")),
    (2, K("科普", "讲座培训", "科普讲座|“低碳生活”科普讲座|防灾减灾科普课", (20, 70), (1, 4),
          (20, 100))),
    (2, K("社区教育", "讲座培训", "社区学校书法课|老年大学摄影课|亲子阅读课", (15, 50), (1, 3))),
    (2, K("物业管理", "议事协商", "小区业委会协调会|物业服务“红黄绿”议事会|加装电梯议事会",
          (10, 40), partners="物业服务中心")),
    (2, K("宣传文明", "宣传", "文明创建宣传|“文明餐桌”光盘行动宣传|移风易俗宣传", (40, 150),
          (3, 8), (80, 300))),
    (1, K("宣传文明", "评选表彰", "“最美家庭”评选表彰|“文明楼道”评比", (30, 100), (2, 6))),
    (1, K("未成年人", "讲座培训", "青少年心理健康讲座|“四点半课堂”", (15, 50), (2, 6))),
    (1, K("其他", "其他", "居民需求调查|社区开放日", (20, 80), (2, 6))),
)

_FREE_REMARKS = ("", "", "", "", "与共建单位联合开展", "因雨顺延一天", "街道统一部署",
                 "附照片3张", "居民反响良好", "签到表存档")
_SERVICE_TEXT = ("平安巡逻", "文明劝导", "助老服务", "垃圾分类督导", "楼道清理", "活动秩序维护",
                 "四点半课堂辅导", "防疫宣传", "便民服务")
_PLACES = ("幢单元楼道", "号沿街商铺", "幢地下车库", "号楼电动车棚", "小区东门", "号出租房",
           "幢楼顶平台", "号小餐馆")


def _day_in_month(rng: random.Random, year: int, month: int) -> date:
    return date(year, month, rng.randint(1, calendar.monthrange(year, month)[1]))


def _rand_date(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, max(0, (end - start).days)))


def _in(rng: random.Random, span: tuple[int, int], scale: float = 1.0) -> int:
    lo, hi = span
    if not hi:
        return 0
    return max(1 if lo else 0, int(round(rng.randint(lo, hi) * scale)))


# ---------------------------------------------------------------------------
# One community's world, simulated over the years
# ---------------------------------------------------------------------------


@dataclass
class Profile:
    population: int
    area: float
    households: int
    huji: int
    floating: int
    e60: int
    e80: int
    e90: int
    party: int
    probation: int
    org: str
    branches: int
    grids: int
    workers: int
    units: int
    estates: int
    buildings: int
    retirees: int


@dataclass
class World:
    """All records of one community across the simulated years."""

    name: str
    index: int
    rng: random.Random
    people: People
    base_pop: int
    growth: float
    profile0: Profile | None = None
    volunteers: list[dict[str, Any]] = field(default_factory=list)
    services: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    dibao: list[dict[str, Any]] = field(default_factory=list)  # one per household
    disabled: list[dict[str, Any]] = field(default_factory=list)
    registrations: list[dict[str, Any]] = field(default_factory=list)
    hazards: list[dict[str, Any]] = field(default_factory=list)


def _population(world: World, year: int, first: int) -> int:
    return int(round(world.base_pop * (1 + world.growth) ** (year - first)))


def _profile(world: World, year: int, first: int) -> Profile:
    """The 基本情况 of a year: the first year's shape, grown with the population."""
    rng = random.Random(f"profile:{world.name}:{year}")
    p0 = world.profile0
    pop = _population(world, year, first)
    if p0 is None:
        r = world.rng
        party = int(pop * r.uniform(0.022, 0.04))
        org = "党支部" if party < 100 else "党总支" if party < 320 else "党委"
        branches = 0 if org == "党支部" else r.randint(3, 5) if org == "党总支" else r.randint(6, 12)
        huji = int(pop * r.uniform(0.62, 0.88))
        e60 = int(pop * r.uniform(0.17, 0.29))
        e80 = int(e60 * r.uniform(0.12, 0.18))
        p0 = Profile(
            population=pop, area=round(r.uniform(0.25, 0.9) * math.sqrt(pop / 3000), 2),
            households=int(pop / r.uniform(2.5, 2.9)), huji=huji,
            floating=int(pop * r.uniform(0.12, 0.38)), e60=e60, e80=e80,
            e90=int(e80 * r.uniform(0.08, 0.13)), party=party,
            probation=r.randint(0, max(1, party // 80)), org=org, branches=branches,
            grids=max(3, int(pop / r.uniform(320, 500))),
            workers=max(6, int(pop / r.uniform(430, 760))), units=r.randint(5, 12 + pop // 800),
            estates=max(1, int(pop / r.uniform(1800, 3500))), buildings=0,
            retirees=int(e60 * r.uniform(0.65, 0.85)),
        )
        p0.buildings = max(p0.estates * 4, int(p0.households / r.uniform(40, 90)))
        world.profile0 = p0
        return p0
    f = pop / p0.population
    return replace(
        p0, population=pop, households=int(p0.households * f), huji=int(p0.huji * f),
        floating=int(p0.floating * f * rng.uniform(0.96, 1.04)),
        e60=int(p0.e60 * f * rng.uniform(1.01, 1.04)), e80=int(p0.e80 * f * rng.uniform(1.0, 1.05)),
        e90=int(p0.e90 * f * rng.uniform(0.98, 1.08)), party=p0.party + rng.randint(-2, 6),
        probation=rng.randint(0, max(1, p0.party // 80)),
        workers=p0.workers + rng.choice((0, 0, 1)), retirees=int(p0.retirees * f * 1.02),
    )


def _simulate_volunteers(w: World, start: int, last: int) -> None:
    r, pop = w.rng, w.base_pop
    rate = r.uniform(0.025, 0.06)
    code_base = (w.index + 1) * 10000
    count = 0

    def add(reg: date, person: Person | None = None) -> dict[str, Any]:
        nonlocal count
        count += 1
        v = {
            "code": str(code_base + count), "person": person or w.people.person(reg.year, 18, 72),
            "team": r.choice(_TEAMS if w.index else _TEAMS + ("天运路一条街志愿服务队",) * 3),
            "reg": reg, "realname": r.random() < 0.9, "party": r.random() < 0.35, "left": None,
        }
        w.volunteers.append(v)
        return v

    for _ in range(int(pop * rate * 0.7)):
        add(_rand_date(r, date(start - 4, 1, 1), date(start, 12, 31)))
    for year in range(start + 1, last + 1):
        current = [v for v in w.volunteers if v["left"] is None]
        for v in r.sample(current, k=int(len(current) * r.uniform(0.03, 0.07))):
            v["left"] = year  # no longer on the 名册 from this year on
        gone = [v for v in w.volunteers
                if v["left"] is not None and v["left"] < year and not v.get("rejoined")]
        for v in r.sample(gone, k=min(len(gone), r.randint(0, 2))):
            v["rejoined"] = True
            add(_rand_date(r, date(year, 2, 1), date(year, 11, 30)), v["person"])  # re-joins
        for _ in range(int(pop * rate * r.uniform(0.08, 0.16))):
            add(_rand_date(r, date(year, 1, 1), date(year, 12, 31)))
    w.volunteers.sort(key=lambda v: (v["reg"], v["code"]))
    for n, v in enumerate(w.volunteers, 1):  # 编号 are handed out in order of registration
        v["code"] = str(code_base + n)


def _roster(w: World, year: int) -> list[dict[str, Any]]:
    return [v for v in w.volunteers
            if v["reg"].year <= year and (v["left"] is None or v["left"] > year)]


def _services(w: World, year: int, roster: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = random.Random(f"service:{w.name}:{year}")
    active_share = 0.38 if w.index == 9 else r.uniform(0.52, 0.8)
    rows = []
    for v in roster:
        if r.random() > active_share:
            continue
        lo = max(date(year, 1, 1), v["reg"])
        for _ in range(r.choice((1, 1, 2, 2, 3, 4, 6))):
            rows.append({"日期": _rand_date(r, lo, date(year, 12, 31)), "志愿者编号": v["code"],
                         "服务内容": r.choice(_SERVICE_TEXT),
                         "服务时长(小时)": r.choice((1, 1.5, 2, 2, 2, 2.5, 3, 4))})
    for _ in range(r.choice((0, 0, 1, 2))):  # helpers from outside the 名册
        rows.append({"日期": _day_in_month(r, year, r.randint(3, 11)),
                     "志愿者编号": str((w.index + 1) * 10000 + 9000 + r.randint(1, 99)),
                     "服务内容": r.choice(_SERVICE_TEXT), "服务时长(小时)": 2})
    rows.sort(key=lambda x: x["日期"])
    return rows


def _standard(year: int) -> int:
    """The city's monthly 低保 standard per person (yuan)."""
    return 1000 + 45 * (year - 2020)


def _simulate_dibao(w: World, start: int, last: int) -> None:
    r = w.rng
    target = max(4, int(w.base_pop * r.uniform(0.0022, 0.005)))

    def new_household(since: date) -> dict[str, Any]:
        h = {"person": w.people.person(since.year, 28, 85), "class": r.choices("ABC", (3, 5, 2))[0],
             "size": r.choices((1, 2, 3, 4, 5), (35, 30, 20, 11, 4))[0],
             "type": "农村" if r.random() < 0.06 else "城市", "periods": [[since, None]]}
        w.dibao.append(h)
        return h

    for _ in range(target):
        new_household(_rand_date(r, date(start - 6, 1, 1), date(start - 1, 12, 31)))
    for year in range(start, last + 1):
        active = [h for h in w.dibao if h["periods"][-1][1] is None]
        for h in r.sample(active, k=int(len(active) * r.uniform(0.08, 0.18))):
            s = h["periods"][-1][0]
            h["periods"][-1][1] = _rand_date(r, max(s + timedelta(days=60), date(year, 1, 10)),
                                             date(year, 12, 20))
        exited = [h for h in w.dibao if h["periods"][-1][1] is not None
                  and h["periods"][-1][1] < date(year, 9, 1)]
        for h in r.sample(exited, k=min(len(exited), r.randint(0, 2))):
            back = _rand_date(r, h["periods"][-1][1] + timedelta(days=30), date(year, 12, 15))
            h["periods"].append([back, None])  # re-entered after a setback
        for _ in range(int(target * r.uniform(0.08, 0.2))):
            new_household(_rand_date(r, date(year, 1, 5), date(year, 12, 20)))


def _dibao_rows(w: World, year: int) -> list[dict[str, Any]]:
    rows = []
    factor = {"A": 1.0, "B": 0.6, "C": 0.35}
    for h in w.dibao:
        for s, e in h["periods"]:
            if s > date(year, 12, 31) or (e is not None and e < date(year, 1, 1)):
                continue
            rows.append({"户主姓名": h["person"].name, "身份证号": h["person"].id, "类别": h["class"],
                         "保障人数": h["size"],
                         "月保障金(元)": int(round(h["size"] * _standard(year) * factor[h["class"]], -1)),
                         "纳入日期": s, "退出日期": e if e and e <= date(year, 12, 31) else None,
                         "保障类型": h["type"]})
    rows.sort(key=lambda x: (x["纳入日期"], x["身份证号"]))
    return rows


def _simulate_disabled(w: World, start: int, last: int) -> None:
    r = w.rng
    cats = ("视力", "听力", "言语", "肢体", "智力", "精神", "多重")

    def add(year: int) -> None:
        cat = r.choices(cats, (10, 12, 2, 45, 10, 15, 6))[0]
        grade = r.choices(("一级", "二级", "三级", "四级"), (10, 25, 30, 35))[0]
        w.disabled.append({"person": w.people.person(year, 6, 92), "cat": cat, "grade": grade,
                           "certified": r.random() < (0.86 if w.index == 11 else 0.975),
                           "subsidy": grade in ("一级", "二级") or r.random() < 0.15,
                           "from": year, "to": None})

    for _ in range(int(w.base_pop * r.uniform(0.011, 0.018))):
        add(start - 1)
    for year in range(start + 1, last + 1):
        cur = [d for d in w.disabled if d["to"] is None]
        for d in r.sample(cur, k=int(len(cur) * r.uniform(0.02, 0.05))):
            d["to"] = year - 1
        for _ in range(int(len(cur) * r.uniform(0.03, 0.07))):
            add(year)


def _disabled_rows(w: World, year: int) -> list[dict[str, Any]]:
    r = random.Random(f"disabled:{w.name}:{year}")
    cat_digit = {v: k for k, v in schema.DISABILITY_CERT_CATEGORY.items()}
    grade_digit = {v: k for k, v in schema.DISABILITY_CERT_GRADE.items()}
    rows = []
    for d in w.disabled:
        if d["from"] > year or (d["to"] is not None and d["to"] < year):
            continue
        pid = d["person"].id
        rows.append({"姓名": d["person"].name, "身份证号": pid,
                     "残疾人证号": pid + cat_digit[d["cat"]] + grade_digit[d["grade"]],
                     "残疾类别": d["cat"], "残疾等级": d["grade"], "是否持证": d["certified"],
                     "两项补贴": d["subsidy"],
                     "走访服务次数": r.choices((0, 1, 2, 3, 4, 6), (10, 25, 30, 20, 10, 5))[0]})
    return rows


def _simulate_unemployment(w: World, start: int, last: int) -> None:
    r = w.rng
    per_year = max(3, int(w.base_pop * r.uniform(0.003, 0.006)))
    reemp_share = r.uniform(0.5, 0.75)

    def register(day: date, person: Person | None = None) -> None:
        p = person or w.people.person(day.year, 18, 58)
        age = day.year - p.birth.year
        hard = (age >= (40 if p.sex == "女" else 50)) or r.random() < 0.15
        kind = None
        if hard:
            kind = ("4050" if age >= (40 if p.sex == "女" else 50)
                    else r.choice(("残疾", "低保家庭", "零就业家庭", "长期失业", "其他")))
        reg = {"person": p, "reg": day, "hard": hard, "kind": kind, "reemp": None, "form": None,
               "end": None, "reason": None}
        u = r.random()
        if u < reemp_share:
            reg["reemp"] = day + timedelta(days=r.randint(20, 420))
            reg["form"] = r.choices(("单位就业", "灵活就业", "自主创业", "公益性岗位", "其他"),
                                    (45, 30, 10, 10, 5))[0]
        elif u < reemp_share + 0.12:
            reg["end"] = day + timedelta(days=r.randint(60, 500))
            reg["reason"] = ("退休" if age >= 54 else
                             r.choice(("迁出", "终止求职", "入学参军", "丧失劳动能力", "其他")))
        w.registrations.append(reg)

    for _ in range(per_year):
        register(_rand_date(r, date(start - 2, 1, 1), date(start - 1, 12, 31)))
    for year in range(start, last + 1):
        done = [g for g in w.registrations if g["reemp"] and g["reemp"] < date(year, 6, 1)
                and g["reemp"].year >= year - 1 and not g.get("again")]
        again = r.sample(done, k=min(len(done), r.randint(0, 2)))
        for g in again:  # lost the new job and registered again
            g["again"] = True
            register(_rand_date(r, g["reemp"] + timedelta(days=60), date(year, 12, 15)),
                     g["person"])
        for _ in range(int(per_year * r.uniform(0.85, 1.15)) - len(again)):
            register(_rand_date(r, date(year, 1, 3), date(year, 12, 28)))


def _unemployment_rows(w: World, year: int) -> list[dict[str, Any]]:
    r = random.Random(f"unemployed:{w.name}:{year}")
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    rows = []
    for g in sorted(w.registrations, key=lambda g: (g["reg"], g["person"].id)):
        ended = g["reemp"] or g["end"]
        if g["reg"] > y1 or (ended is not None and ended < y0):
            continue
        reemp = g["reemp"] if g["reemp"] and g["reemp"] <= y1 else None
        end = g["end"] if g["end"] and g["end"] <= y1 else None
        rows.append({"姓名": g["person"].name, "身份证号": g["person"].id, "性别": g["person"].sex,
                     "登记失业日期": g["reg"], "就业困难人员": g["hard"], "困难类别": g["kind"],
                     "参加培训": r.random() < 0.45, "再就业日期": reemp,
                     "就业形式": g["form"] if reemp else None, "注销日期": end,
                     "注销原因": g["reason"] if end else None})
    return rows


def _simulate_hazards(w: World, start: int, last: int) -> None:
    r = w.rng
    cats = ("消防", "燃气", "用电", "电动自行车", "高空坠物", "房屋安全", "电梯", "九小场所",
            "出租屋", "防汛", "其他")
    weights = (25, 10, 10, 20, 5, 4, 4, 10, 8, 2, 2)
    slow = w.index in (4, 7)  # communities whose rectification lags
    for year in range(start - 1, last + 1):
        for _ in range(max(3, int(w.base_pop * r.uniform(0.002, 0.004)))):
            cat = r.choices(cats, weights)[0]
            found = (_day_in_month(r, year, r.randint(5, 9)) if cat == "防汛"
                     else _rand_date(r, date(year, 1, 4), date(year, 12, 28)))
            deadline = found + timedelta(days=r.choice((7, 15, 15, 30)))
            roll = r.random()
            if roll < (0.25 if slow else 0.1):
                fixed = deadline + timedelta(days=r.randint(3, 40))  # late
            else:
                fixed = found + timedelta(days=r.randint(0, (deadline - found).days))
            if slow and r.random() < 0.08:
                fixed = None  # still waiting on the owner
            w.hazards.append({"found": found, "cat": cat,
                              "grade": "重大" if r.random() < 0.02 else "一般",
                              "place": f"{r.randint(1, 30)}{r.choice(_PLACES)}",
                              "deadline": deadline, "fixed": fixed})


def _hazard_rows(w: World, year: int, style: Style) -> list[dict[str, Any]]:
    r = random.Random(f"hazard:{w.name}:{year}")
    y0, y1 = date(year, 1, 1), date(year, 12, 31)
    rows = []
    for h in w.hazards:
        carried = (h["found"].year == year - 1 and h["fixed"] is not None
                   and y0 <= h["fixed"] <= y1)  # 上年结转: found last year, fixed this year
        if not (h["found"].year == year or carried):
            continue
        fixed = h["fixed"] if h["fixed"] and h["fixed"] <= y1 else None
        state = "已整改" if fixed else ("整改中" if r.random() < 0.7 else "未整改")
        row = {"发现日期": h["found"], "隐患类别": h["cat"], "隐患等级": h["grade"],
               "地点": h["place"], "整改期限": h["deadline"], "整改日期": fixed, "整改情况": state}
        if style.dateless_rectified and fixed and r.random() < 0.05:
            row["整改日期"] = None  # ticked off as done, date never written down
        rows.append(row)
    rows.sort(key=lambda x: x["发现日期"])
    return rows


def _activities(w: World, year: int, pop: int, style: Style, last: int) -> list[dict[str, Any]]:
    r = random.Random(f"activity:{w.name}:{year}")
    scale = min(1.8, max(0.6, (pop / 8000) ** 0.4))
    vigour = random.Random(f"vigour:{w.name}").uniform(0.8, 1.25) * (
        1 + random.Random(f"trend:{w.name}:{year}").uniform(-0.12, 0.15))
    partners = ("社区卫生服务中心", "辖区派出所", "物业服务中心", "街道社区学校", "共建单位")
    rows: list[dict[str, Any]] = []

    def add(day: date, kind: Kind) -> None:
        name = r.choice(kind.names)
        if r.random() < 0.08:
            name = f"{w.name}{name}"
        mat = _in(r, kind.mat, scale)
        rows.append({
            "日期": day, "条线": kind.line, "活动名称": name, "活动类型": kind.type,
            "参与人次": _in(r, kind.part, scale), "志愿者人次": _in(r, kind.vol, scale),
            "发放资料(份)": mat or None, "面向居民": kind.resident,
            "共建单位": (r.choice(kind.partners or partners) if r.random() < 0.35 else None),
            "备注": r.choice(_FREE_REMARKS) or None,
        })

    for rule, kind, p in _SEASONAL:
        if r.random() < p:
            add(rule(year, r), kind)
    law_share = 0.9 if w.index % 4 else 0.6  # some communities let 普法 slip in busy months
    for month in range(1, 13):
        if r.random() < law_share:
            add(_day_in_month(r, year, month), K("普法", "宣传", "法治宣传进小区|“每月一法”宣传",
                                                 (40, 150), (2, 6), (60, 200)))
        if r.random() < 0.9:
            add(_day_in_month(r, year, month), _RECURRING[0][1])
        if month % 3 == 0 and r.random() < 0.85:
            add(_day_in_month(r, year, month - r.randint(0, 2)), _RECURRING[6][1])
    add(date(year, 12, r.randint(20, 28)),
        K("物业管理", "议事协商", "年度居民代表议事会|“民生实事”项目协商会", (20, 60)))
    behind = last - 1 - year
    if behind > 0:
        # A longer sample (``years=3`` and more) grows year on year as streets report it:
        # each year before last year a few per cent fewer activities. Never touches the
        # last two years, so the two-year sample stays as it was.
        vigour *= (1 - random.Random(f"growth:{w.name}").uniform(0.04, 0.12)) ** behind
    target = int((40 + pop / 110) * vigour)
    weights = [wt for wt, _ in _RECURRING]
    while len(rows) < target:
        kind = r.choices(_RECURRING, weights)[0][1]
        month = r.choices(range(1, 13), (7, 6, 9, 9, 9, 9, 10, 9, 9, 8, 9, 8))[0]
        add(_day_in_month(r, year, month), kind)
    if style.quiet_month and year == last + style.quiet_month[0]:
        rows = [x for x in rows if x["日期"].month != style.quiet_month[1]]
    if w.index == 1:  # last December's concert entered in the new year's ledger
        add(date(year, 1, 1) - timedelta(days=2), _RECURRING[11][1])
    rows.sort(key=lambda x: (x["日期"], x["条线"], x["活动名称"]))
    return rows


def _assistance(w: World, year: int, dibao: int, disabled: int, e80: int) -> list[dict[str, Any]]:
    r = random.Random(f"assist:{w.name}:{year}")
    spring = _festival(_SPRING, year, (2, 1))
    rows = []

    def add(day: date, group: str, form: str, n: int, per: tuple[int, int] | None) -> None:
        n = max(1, n)
        amount = n * r.randint(*per) if per else None
        rows.append({"日期": day, "对象类别": group, "帮扶形式": form, "户次": n,
                     "金额(元)": int(round(amount, -1)) if amount else None})

    for group, base in (("低保户", dibao), ("特困人员", max(1, dibao // 8)),
                        ("困难家庭", max(2, dibao // 2)), ("残疾人", disabled // 6),
                        ("高龄独居老人", e80 // 12)):
        add(spring - timedelta(days=r.randint(6, 15)), group, "走访慰问", base, (200, 500))
    add(date(year, 6, r.randint(24, 30)), "困难党员", "走访慰问", r.randint(2, 8), (300, 500))
    add(date(year, 7, r.randint(25, 31)), "优抚对象", "走访慰问", r.randint(3, 15), (200, 400))
    add(date(year, 8, r.randint(15, 30)), "困难学生", "助学", r.randint(2, 8), (500, 1500))
    add(_festival(_ZHONGQIU, year, (9, 20)) - timedelta(days=3), "空巢老人", "物资",
        e80 // 15, (100, 200))
    add(_festival(_CHONGYANG, year, (10, 15)), "高龄独居老人", "上门服务", e80 // 20, None)
    for _ in range(r.randint(2, 4 + dibao // 10)):
        add(_rand_date(r, date(year, 1, 5), date(year, 12, 20)), "困难家庭", "临时救助",
            r.randint(1, 2), (800, 4000))
    for month in range(2, 13, r.choice((2, 3))):
        add(_day_in_month(r, year, month), r.choice(("留守儿童", "空巢老人", "低保边缘户")),
            r.choice(("结对帮扶", "上门服务", "代办申请")), r.randint(1, 6), None)
    rows.sort(key=lambda x: x["日期"])
    return rows


def _donations(w: World, year: int, pop: int) -> list[dict[str, Any]]:
    r = random.Random(f"donate:{w.name}:{year}")
    rows = []
    donors = int(pop * r.uniform(0.012, 0.03))
    rows.append({"日期": _festival(_SPRING, year, (2, 1)) + timedelta(days=r.randint(20, 40)),
                 "项目": "春风行动", "捐赠人次": int(donors * 0.6),
                 "金额(元)": round(donors * 0.6 * r.uniform(30, 60), 1), "形式": "现金"})
    rows.append({"日期": date(year, r.choice((5, 6)), r.randint(1, 28)), "项目": "慈善一日捐",
                 "捐赠人次": donors, "金额(元)": round(donors * r.uniform(35, 70), 1), "形式": "现金"})
    if r.random() < 0.6:
        rows.append({"日期": date(year, 9, r.randint(7, 9)), "项目": "“99公益日”爱心募捐",
                     "捐赠人次": int(donors * 0.3), "金额(元)": round(donors * 0.3 * r.uniform(15, 40)),
                     "形式": "现金"})
    rows.append({"日期": date(year, 11, r.randint(10, 30)), "项目": "冬衣暖心爱心衣物捐赠",
                 "捐赠人次": int(donors * 0.2), "金额(元)": int(donors * 0.2) * 50, "形式": "物资"})
    rows.sort(key=lambda x: x["日期"])
    return rows


def _info(w: World, year: int, acts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = random.Random(f"info:{w.name}:{year}")
    levels = ("街道", "区", "市", "省及以上")
    share = r.uniform(0.15, 0.35)
    rows = []
    for a in acts:
        if r.random() > share or not a["面向居民"]:
            continue
        day = min(a["日期"] + timedelta(days=r.randint(0, 4)), date(year, 12, 31))
        if day.year != year:
            continue
        level = r.choices(levels, (55, 35, 8, 2))[0]
        adopted = r.random() < {"街道": 0.75, "区": 0.5, "市": 0.3, "省及以上": 0.2}[level]
        title = a["活动名称"] if a["活动名称"].startswith(w.name) else w.name + "开展" + a["活动名称"]
        rows.append({"报送日期": day, "标题": title,
                     "类型": r.choices(("政务信息", "公众号", "简报", "媒体稿件", "调研征文"),
                                     (50, 30, 10, 8, 2))[0],
                     "报送层级": level, "是否录用": adopted, "录用层级": level if adopted else None})
    return rows


def _disputes(w: World, year: int, pop: int) -> list[dict[str, Any]]:
    r = random.Random(f"dispute:{w.name}:{year}")
    kinds = ("邻里纠纷", "婚姻家庭", "物业纠纷", "房屋宅基地", "合同债务", "劳动争议", "损害赔偿",
             "其他")
    rows = []
    for _ in range(max(2, int(pop * r.uniform(0.0008, 0.002)))):
        day = _rand_date(r, date(year, 1, 3), date(year, 12, 29))
        u = r.random()
        result = "调解成功" if u < 0.9 else "调解不成功" if u < 0.93 else "移交处理"
        done: date | None = day + timedelta(days=r.randint(0, 25))
        if done > date(year, 12, 31):
            result, done = "调解中", None
        rows.append({"受理日期": day, "纠纷类型": r.choices(kinds, (35, 15, 20, 5, 7, 5, 5, 8))[0],
                     "调解结果": result, "办结日期": done,
                     "来源": r.choices(("排查", "来访", "交办", "其他"), (40, 45, 13, 2))[0]})
    rows.sort(key=lambda x: x["受理日期"])
    return rows


def _safety(w: World, year: int, pop: int, first: int) -> dict[str, int]:
    r = random.Random(f"safety:{w.name}:{year}")
    big = pop / 10000
    values = {
        "火灾事故(起)": 1 if (w.index == 4 and year == first) else 0,
        "刑事案件(起)": int(big * r.uniform(0, 2.5)), "可防性案件(起)": int(big * r.uniform(0, 3)),
        "治安案件(起)": int(big * r.uniform(0.5, 4)), "信访(件)": r.choice((0, 0, 0, 1, 2, 3)),
        "群体性事件(起)": 0, "安全生产事故(起)": 0, "重大刑事案件(起)": 0,
    }
    return {name: values.get(name, 0) for name, _ in schema.SAFETY_ITEMS}


# ---------------------------------------------------------------------------
# Writing a workbook the way the community's clerk would
# ---------------------------------------------------------------------------

_THIN = Side(style="thin", color="808080")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_ENUM_VARIANTS = {"肢体": "肢体残疾", "视力": "视力残疾", "精神": "精神残疾", "A": "A类", "B": "B类",
                  "C": "C类", "邻里纠纷": "邻里纠纷 ", "婚姻家庭": "家庭婚姻", "调解成功": "达成协议",
                  "电动自行车": "电动车", "环境卫生": "垃圾分类", "卫生健康": "计生",
                  "二级": "2", "三级": "3"}


class _Clerk:
    """Renders canonical records into cells in one community's habits."""

    def __init__(self, style: Style, community: str, year: int, seed: str):
        self.s = style
        self.community = community
        self.year = year
        self.rng = random.Random(f"clerk:{seed}:{community}:{year}")
        self.turn = 0

    # headers ---------------------------------------------------------------
    def header(self, col: schema.Column, i: int) -> str:
        name = col.name
        if self.s.headers == "aliases" and col.aliases and i % 2 == 0:
            return col.aliases[0]
        if self.s.headers != "variants":
            return name
        if "(" in name:
            return name.replace("(", "（").replace(")", "）")
        if len(name) == 2 and i % 2 == 1:
            return f"{name[0]} {name[1]}"
        if len(name) >= 4 and i % 3 == 0:
            return f"{name[:2]}\n{name[2:]}"
        if col.kind == INT and name.endswith("人次") and name != "参与人次":
            return f"{name}(人次)"
        return name

    def sheet_name(self, sheet: Sheet) -> str:
        if self.s.sheet_names != "variants":
            return sheet.name
        if sheet.aliases and len(sheet.name) >= 5:
            return sheet.aliases[0]
        return f"{sheet.name[:2]} {sheet.name[2:]}" if len(sheet.name) == 4 else sheet.name

    # values ----------------------------------------------------------------
    def value(self, col: schema.Column, v: Any) -> Any:
        if v is None or v == "":
            return None
        self.turn += 1
        if col.kind == DATE:
            return self.date(v)
        if col.kind == BOOL:
            return self.s.bools[0] if v else self.s.bools[1]
        if col.kind == ENUM:
            if self.s.enums == "variants" and self.turn % 3 == 0:
                return _ENUM_VARIANTS.get(v, v)
            return v
        if col.kind in (INT, NUMBER) and self.s.numbers == "text" and self.turn % 4 == 0:
            return self.number_text(col, v)
        if col.kind == CODE and self.s.numeric_codes:
            return int(v)
        if col.kind in (ID, PHONE):
            return str(v)
        return v

    def date(self, d: date) -> Any:
        if self.s.dates != "text" or self.turn % 2 == 0:
            return d
        forms = (f"{d:%Y-%m-%d}", f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
                 f"{d.year}年{d.month}月{d.day}日", f"{d:%Y%m%d}")
        return forms[self.turn // 2 % len(forms)]

    def number_text(self, col: schema.Column, v: Any) -> str:
        if "元" in col.name:
            return f"{v:,}元" if isinstance(v, int) or float(v).is_integer() else f"{v}元"
        if col.name.endswith("人次") or col.name.endswith("人数"):
            return f"{int(v)}人"
        return str(v).translate(_FULLWIDTH)


def _columns(sheet: Sheet, style: Style) -> list[schema.Column]:
    return [c for c in sheet.columns if c.required or c.name not in style.drop_columns]


def _title_rows(ws: Any, clerk: _Clerk, title: str, width: int) -> int:
    ws.cell(1, 1, f"{clerk.year}年{clerk.community}{title}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    ws.cell(1, 1).alignment = Alignment(horizontal="center")
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, width))
    ws.cell(2, 1, f"填报单位：{clerk.community}居民委员会")
    ws.cell(2, max(2, width - 2), f"填报日期：{clerk.year + 1}年1月{5 + len(title) % 5}日")
    return 3


def _write_table(wb: Workbook, sheet: Sheet, records: list[dict[str, Any]], clerk: _Clerk,
                 extra: Callable[[Any, int, list[schema.Column]], None] | None = None) -> Any:
    style = clerk.s
    ws = wb.create_sheet(clerk.sheet_name(sheet))
    cols = _columns(sheet, style)
    row = _title_rows(ws, clerk, sheet.name, len(cols)) if style.title else 1
    for j, col in enumerate(cols, 1):
        cell = ws.cell(row, j, clerk.header(col, j))
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(28, 3 + 2 * len(col.name)))
    header_row = row
    ws.freeze_panes = ws.cell(header_row + 1, 1)
    sums: dict[str, float] = {}
    gap_after = len(records) // 2 if style.blank_rows and len(records) > 6 else -1
    for n, rec in enumerate(records, 1):
        row += 1
        for j, col in enumerate(cols, 1):
            v = n if col.name == "序号" else rec.get(col.name)
            if col.kind in (INT, NUMBER) and col.name != "序号" and isinstance(v, int | float) \
                    and not isinstance(v, bool):
                sums[col.name] = sums.get(col.name, 0) + v
            ws.cell(row, j, v if col.name == "序号" else clerk.value(col, v))
        if n == gap_after:
            row += 1  # a blank line the clerk left between the halves of the year
    if extra:
        extra(ws, header_row, cols)
    if style.blank_rows:
        for k in range(1, 4):  # pre-numbered lines waiting to be filled
            row += 1
            ws.cell(row, 1, len(records) + k)
        for _ in range(2):  # formatted but empty
            row += 1
            for j in range(1, len(cols) + 1):
                ws.cell(row, j).border = _BORDER
    if style.totals and sums:
        row += 1
        ws.cell(row, 1, "合计")
        for j, col in enumerate(cols, 1):
            if col.name in sums:
                total = sums[col.name]
                ws.cell(row, j, int(total) if float(total).is_integer() else round(total, 2))
    return ws


def _merge_same_day(ws: Any, header_row: int, cols: list[schema.Column]) -> None:
    """Merge the 日期 cells of consecutive activities on the same day, as clerks do."""
    j = next(i for i, c in enumerate(cols, 1) if c.name == "日期")
    r = header_row + 1
    while ws.cell(r, j).value is not None:
        end = r
        while ws.cell(end + 1, j).value == ws.cell(r, j).value:
            end += 1
        if end > r:
            for k in range(r + 1, end + 1):
                ws.cell(k, j).value = None
            ws.merge_cells(start_row=r, start_column=j, end_row=end, end_column=j)
        r = end + 1


def _write_kv(wb: Workbook, sheet: Sheet, values: dict[str, Any], clerk: _Clerk) -> None:
    ws = wb.create_sheet(clerk.sheet_name(sheet))
    row = 1
    if clerk.s.title:
        ws.cell(1, 1, f"{clerk.community}{sheet.name}（截至{clerk.year}年12月31日）")
        ws.merge_cells("A1:B1")
        row = 2
    ws.cell(row, 1, "项目").font = Font(bold=True)
    ws.cell(row, 2, "数值").font = Font(bold=True)
    ws.column_dimensions["A"].width = 24
    ws.column_dimensions["B"].width = 18
    for i, col in enumerate(sheet.columns):
        if col.name not in values:
            continue
        v = values[col.name]
        label = col.name
        if clerk.s.headers == "aliases" and col.aliases and i % 3 == 1:
            label = col.aliases[0]
        if col.name.startswith("辖区面积") and clerk.s.area_unit:
            label, v = "辖区面积", f"{round(v * 100)}万平方米"
        elif isinstance(v, int) and clerk.s.numbers == "text" and i % 4 == 3:
            v = str(v).translate(_FULLWIDTH)
        row += 1
        ws.cell(row, 1, label)
        ws.cell(row, 2, v)


def _profile_values(name: str, year: int, p: Profile) -> dict[str, Any]:
    return {
        "社区名称": name, "所属街道": STREET, "组织类型": p.org, "统计截止日期": date(year, 12, 31),
        "辖区面积(平方公里)": p.area, "户数": p.households, "户籍人口": p.huji,
        "常住人口": p.population, "实有人口": p.huji + p.floating, "流动人口": p.floating,
        "60周岁以上老年人": p.e60, "80周岁以上老年人": p.e80, "90周岁以上老年人": p.e90,
        "党组织数": 1 + p.branches, "下设党支部数": p.branches or None, "党员数": p.party,
        "预备党员数": p.probation, "网格数": p.grids, "社区工作者数": p.workers,
        "驻区单位数": p.units, "小区数": p.estates, "楼栋数": p.buildings, "退休人员数": p.retirees,
    }


def _deterministic_zip(data: bytes) -> bytes:
    """Re-pack the xlsx with fixed timestamps so the same seed gives the same bytes."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.external_attr = 0o600 << 16
            content = src.read(info.filename)
            if info.filename == "docProps/core.xml":  # openpyxl stamps the save time here
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                                 rb"\g<1>" + _FIXED_STAMP + rb"\g<2>", content)
            dst.writestr(zi, content)
    return out.getvalue()


def save_reproducibly(wb: Workbook, path: Path) -> None:
    """Save with fixed document properties and archive timestamps."""
    fixed = datetime(*_FIXED_TIME)
    wb.properties.creator = "shequ-kit"
    wb.properties.lastModifiedBy = "shequ-kit"
    wb.properties.created = fixed
    wb.properties.modified = fixed
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_deterministic_zip(buf.getvalue()))


# ---------------------------------------------------------------------------
# Planting the bad rows
# ---------------------------------------------------------------------------


def _plant(sheets: dict[str, list[dict[str, Any]]], planted: Planted, year: int,
           rng: random.Random) -> None:
    if planted.sheet == "活动台账":
        bad = dict(rng.choice(sheets["活动台账"]))
        bad["日期"] = planted.value.format(year=year)
        sheets["活动台账"].insert(len(sheets["活动台账"]) // 3, bad)
    elif planted.sheet == "矛盾纠纷台账":
        rows = sheets["矛盾纠纷台账"]
        rows[len(rows) // 2]["纠纷类型"] = planted.value
    elif planted.sheet == "残疾人台账":
        rows = sheets["残疾人台账"]
        rows.insert(len(rows) * 2 // 3, dict(rows[len(rows) // 4]))  # entered twice
    elif planted.sheet == "志愿者名册":
        rows = sheets["志愿者名册"]
        target = rows[len(rows) // 3]
        good = target["身份证号"]
        wrong = "0" if good[-1] != "0" else "1"
        target["身份证号"] = good[:-1] + wrong


# ---------------------------------------------------------------------------
# The public entry points
# ---------------------------------------------------------------------------


def _build_world(name: str, index: int, seed: int, first: int, last: int) -> World:
    rng = random.Random(f"{seed}:{name}")
    region = f"{_REGION_PREFIX}{_STREET_NO:02d}{index + 1:02d}"
    pop = _POPULATIONS[index % len(_POPULATIONS)]
    pop = int(pop * rng.uniform(0.94, 1.06))
    w = World(name, index, rng, People(rng, region), pop, rng.uniform(-0.01, 0.03))
    _profile(w, first, first)
    _simulate_volunteers(w, first, last)
    _simulate_dibao(w, first, last)
    _simulate_disabled(w, first, last)
    _simulate_unemployment(w, first, last)
    _simulate_hazards(w, first, last)
    return w


def _year_sheets(w: World, year: int, first: int, last: int, style: Style
                 ) -> tuple[dict[str, Any], dict[str, list[dict[str, Any]]], dict[str, int]]:
    prof = _profile(w, year, first)
    pop = prof.population
    roster = _roster(w, year)
    acts = _activities(w, year, pop, style, last)
    dibao_rows = _dibao_rows(w, year)
    disabled_rows = _disabled_rows(w, year)
    active_dibao = len({x["身份证号"] for x in dibao_rows if x["退出日期"] is None})
    sheets = {
        "活动台账": acts,
        "志愿者名册": [{"志愿者编号": v["code"], "姓名": v["person"].name, "身份证号": v["person"].id,
                   "手机号": v["person"].phone, "服务队": v["team"], "注册日期": v["reg"],
                   "是否实名注册": v["realname"], "是否党员": v["party"]} for v in roster],
        "志愿服务记录": _services(w, year, roster),
        "低保台账": dibao_rows,
        "残疾人台账": disabled_rows,
        "失业人员台账": _unemployment_rows(w, year),
        "矛盾纠纷台账": _disputes(w, year, pop),
        "安全隐患台账": _hazard_rows(w, year, style),
        "帮扶台账": _assistance(w, year, active_dibao, len(disabled_rows), prof.e80),
        "捐赠台账": _donations(w, year, pop),
        "信息报送台账": _info(w, year, acts),
    }
    return _profile_values(w.name, year, prof), sheets, _safety(w, year, pop, first)


LAST_YEAR = 2024
MAX_YEAR_COUNT = 10


def sample_years(years: Sequence[int] | int) -> list[int]:
    """The years to generate: a count N gives the N consecutive years up to 2024 (3 →
    2022, 2023, 2024, for a street with trends); a list of years is taken as it is."""
    if isinstance(years, int):
        years = [years]
    years = [int(y) for y in years]
    if len(years) == 1 and 0 < years[0] <= MAX_YEAR_COUNT:
        return list(range(LAST_YEAR - years[0] + 1, LAST_YEAR + 1))
    return sorted(set(years))


def generate(out: Path, communities: int = 12, years: Sequence[int] | int = (2023, 2024),
             seed: int = 2024, errors: bool = False) -> list[Path]:
    """Write ``<out>/<year>/<社区名称>.xlsx`` for a synthetic street; return the paths.

    Communities share nothing but the street; each keeps the same people from year to
    year. The same arguments always produce byte-identical files. ``years`` is a list of
    years or a count (``sample_years``).
    """
    out = Path(out)
    names = community_names(communities)
    years = sample_years(years)
    if not years:
        raise ValueError("至少需要一个年份")
    first, last = years[0], years[-1]
    paths: list[Path] = []
    for index, name in enumerate(names):
        style = _style(index)
        world = _build_world(name, index, seed, first, last)
        for year in years:
            profile, sheets, safety = _year_sheets(world, year, first, last, style)
            plant_rng = random.Random(f"plant:{seed}:{name}:{year}")
            for p in PLANTED:
                # The bundled sample passes its own validate: only warnings are planted
                # unless ``errors`` asks for the bad rows that show what validate reports.
                if p.severity == "错误" and not errors:
                    continue
                if p.community == name and year == last + p.year_offset:
                    _plant(sheets, p, year, plant_rng)
            missing = set(style.missing.get(None, ())) | set(
                style.missing.get(years.index(year), ()))
            clerk = _Clerk(style, name, year, str(seed))
            wb = Workbook()
            wb.remove(wb.active)
            _write_kv(wb, schema.PROFILE, profile, clerk)
            for sheet in schema.SHEETS:
                if sheet.key_value or sheet.name in missing:
                    continue
                extra = _merge_same_day if (style.merged_dates and sheet.name == "活动台账") else None
                _write_table(wb, sheet, sheets.get(sheet.name, []), clerk, extra)
            if "平安稳定" not in missing:
                _write_kv(wb, schema.SAFETY, safety, clerk)
            folder = out / str(year)
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{name}.xlsx"
            save_reproducibly(wb, path)
            paths.append(path)
    return paths


def summary(paths: Sequence[Path]) -> str:
    """A Chinese line for the CLI: how many workbooks, for which years and street."""
    years = sorted({p.parent.name for p in paths})
    names = sorted({p.stem for p in paths}, key=lambda n: COMMUNITY_NAMES.index(n)
                   if n in COMMUNITY_NAMES else len(COMMUNITY_NAMES))
    size = sum(p.stat().st_size for p in paths if p.exists())
    return (f"已生成{STREET}{len(names)}个社区、{'、'.join(years)}年共{len(paths)}个示例台账"
            f"（{size / 1024 / 1024:.1f}MB），人员信息均为虚构。")
