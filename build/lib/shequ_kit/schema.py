"""The ledger contract, declared once.

Every sheet, column, type, enumeration and alias of the community workbooks lives here as
data. The reader, the template writer and the sample generator all read these
declarations, so adding a column is one entry in this file. Nothing here knows about
indicators or reports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Column kinds understood by the reader (shequ_kit.values parses each one).
TEXT = "text"
INT = "int"
NUMBER = "number"
DATE = "date"
ENUM = "enum"
BOOL = "bool"
ID = "id"  # 18-character 身份证号, GB 11643 check digit
PHONE = "phone"  # 11-digit mobile number
CODE = "code"  # an identifier such as 志愿者编号: 1001, 1001.0 and "1001" are equal


@dataclass(frozen=True)
class EnumSpec:
    """An enumeration: canonical values and the aliases that map onto them.

    Streets may replace or extend these under ``枚举`` in ``parameters/defaults.yaml``.
    """

    values: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Column:
    """One column of a table sheet (or one 项目 of a key-value sheet)."""

    name: str
    kind: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    enum: str | None = None  # key into ENUMS for kind == ENUM
    min: float | None = None
    max: float | None = None
    min_exclusive: bool = False
    personal: bool = False  # 姓名, 身份证号, 手机号: checked, counted, never shown
    free_text: bool = False  # 备注, 地点, 服务内容: never reaches an output
    empty_means: Any = None  # value of an empty cell (面向居民: empty = 是)
    starts: str | None = None  # for an end date: the start-date column it may not precede
    event_date: bool = False  # a dated event: outside the workbook's year is a warning
    unique: bool = False  # a single-column unique key

    @property
    def masked(self) -> bool:
        """Values of this column are masked in messages (names are never shown)."""
        return self.personal or self.free_text


@dataclass(frozen=True)
class Sheet:
    """A sheet of the workbook: a table (one row per record) or key-value (项目 | 数值)."""

    name: str
    columns: tuple[Column, ...]
    key_value: bool = False
    required: bool = False  # 基本情况 only: without it the workbook fails
    unique_keys: tuple[tuple[str, ...], ...] = ()  # multi-column unique keys
    no_overlap: tuple[str, str, str] | None = None  # (person, start, end): 低保 periods
    aliases: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)


# ---------------------------------------------------------------------------
# Enumerations (defaults; a street overrides them under 枚举 in defaults.yaml)
# ---------------------------------------------------------------------------

ENUMS: dict[str, EnumSpec] = {
    "组织类型": EnumSpec(("党委", "党总支", "党支部")),
    "条线": EnumSpec(
        (
            "党建", "就业社保", "民政救助", "残疾人", "卫生健康", "综治平安", "消防安全",
            "应急管理", "普法", "科普", "宣传文明", "文体", "环境卫生", "养老服务",
            "未成年人", "志愿服务", "群团", "退役军人", "物业管理", "社区教育", "其他",
        ),
        {
            "计生": "卫生健康", "卫生计生": "卫生健康", "禁毒": "综治平安",
            "反邪教": "综治平安", "信访维稳": "综治平安", "安置帮教": "综治平安",
            "创文": "宣传文明", "创卫": "环境卫生", "垃圾分类": "环境卫生",
            "妇联": "群团", "工会": "群团", "团委": "群团", "双拥": "退役军人",
        },
    ),
    "活动类型": EnumSpec(
        (
            "会议学习", "讲座培训", "宣传", "文体", "志愿服务", "走访慰问", "入户走访",
            "检查巡查", "应急演练", "招聘就业", "便民服务", "节日活动", "议事协商",
            "环境整治", "评选表彰", "其他",
        )
    ),
    "低保类别": EnumSpec(("A", "B", "C")),
    "保障类型": EnumSpec(("城市", "农村")),
    "残疾类别": EnumSpec(("视力", "听力", "言语", "肢体", "智力", "精神", "多重")),
    "残疾等级": EnumSpec(
        ("一级", "二级", "三级", "四级"), {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}
    ),
    "性别": EnumSpec(("男", "女")),
    "困难类别": EnumSpec(("4050", "残疾", "低保家庭", "零就业家庭", "长期失业", "其他")),
    "就业形式": EnumSpec(("单位就业", "灵活就业", "自主创业", "公益性岗位", "其他")),
    "注销原因": EnumSpec(("退休", "迁出", "丧失劳动能力", "入学参军", "死亡", "终止求职", "其他")),
    "纠纷类型": EnumSpec(
        (
            "婚姻家庭", "邻里纠纷", "房屋宅基地", "合同债务", "生产经营", "损害赔偿",
            "劳动争议", "物业纠纷", "征地拆迁", "环境污染", "交通事故", "医疗纠纷", "其他",
        ),
        {"家庭婚姻": "婚姻家庭"},
    ),
    "调解结果": EnumSpec(
        ("调解成功", "调解不成功", "移交处理", "调解中"),
        {
            "达成协议": "调解成功", "终止调解": "调解不成功", "转交": "移交处理",
            "上报": "移交处理", "引导诉讼": "移交处理", "未结": "调解中",
        },
    ),
    "纠纷来源": EnumSpec(("排查", "来访", "交办", "其他")),
    "隐患类别": EnumSpec(
        (
            "消防", "燃气", "用电", "电动自行车", "高空坠物", "房屋安全", "电梯", "九小场所",
            "出租屋", "防汛", "其他",
        ),
        {"电动车": "电动自行车"},
    ),
    "隐患等级": EnumSpec(("一般", "重大")),
    "整改情况": EnumSpec(("已整改", "整改中", "未整改")),
    "对象类别": EnumSpec(
        (
            "低保户", "特困人员", "低保边缘户", "残疾人", "困难家庭", "高龄独居老人",
            "空巢老人", "留守儿童", "困难学生", "困难党员", "困难职工", "优抚对象",
            "计生特扶家庭", "其他",
        )
    ),
    "帮扶形式": EnumSpec(
        ("走访慰问", "临时救助", "物资", "结对帮扶", "上门服务", "代办申请", "助学", "其他"),
        {"救助金": "临时救助"},
    ),
    "捐赠形式": EnumSpec(("现金", "物资")),
    "信息类型": EnumSpec(("政务信息", "媒体稿件", "简报", "调研征文", "公众号", "其他")),
    "层级": EnumSpec(("街道", "区", "市", "省及以上")),
}

# Suffixes a hand-typed enum value may carry (肢体残疾, A类, 邻里纠纷 is canonical already).
ENUM_SUFFIXES: tuple[str, ...] = ("残疾", "类", "纠纷")


def C(name: str, kind: str, *aliases: str, **kw: Any) -> Column:  # noqa: N802 - table shorthand
    """Shorthand so the tables below read like the contract's tables."""
    return Column(name, kind, aliases=tuple(aliases), **kw)


SEQ = C("序号", INT, "编号序号", "序")

PROFILE = Sheet(
    "基本情况",
    key_value=True,
    required=True,
    columns=(
        C("社区名称", TEXT, "社区", "居委会名称", required=True),
        C("所属街道", TEXT, "街道", "所属街道(镇)", "所属镇", "街道办事处", required=True),
        C("组织类型", ENUM, "党组织类型", "社区党组织类型", enum="组织类型"),
        C("统计截止日期", DATE, "截止日期", "统计日期"),
        C("辖区面积(平方公里)", NUMBER, "辖区面积", "面积(平方公里)", "面积", min=0),
        C("户数", INT, "总户数", "居民户数", min=0),
        C("户籍人口", INT, "户籍人口数", min=0),
        C("常住人口", INT, "常住人口数", required=True, min=0),
        C("实有人口", INT, "实有人口数", min=0),
        C("流动人口", INT, "流动人口数", "外来人口", min=0),
        C("60周岁以上老年人", INT, "60岁以上老年人", "60周岁及以上老年人", min=0),
        C("80周岁以上老年人", INT, "80岁以上老年人", "80周岁及以上老年人", min=0),
        C("90周岁以上老年人", INT, "90岁以上老年人", "90周岁及以上老年人", min=0),
        C("党组织数", INT, min=0),
        C("下设党支部数", INT, "党支部数", min=0),
        C("党员数", INT, "党员人数", "党员", min=0),
        C("预备党员数", INT, "预备党员", min=0),
        C("网格数", INT, min=0),
        C("社区工作者数", INT, "社区工作者", "社工人数", min=0),
        C("驻区单位数", INT, "驻区单位", min=0),
        C("小区数", INT, min=0),
        C("楼栋数", INT, min=0),
        C("退休人员数", INT, min=0),
    ),
)

ACTIVITY = Sheet(
    "活动台账",
    aliases=("活动记录", "活动登记"),
    columns=(
        SEQ,
        C("日期", DATE, "活动日期", "时间", "活动时间", required=True, event_date=True),
        C("条线", ENUM, "工作条线", "所属条线", enum="条线", required=True),
        C("活动名称", TEXT, "活动主题", "名称", required=True),
        C("活动类型", ENUM, "类型", enum="活动类型", required=True),
        C("参与人次", INT, "参与人数", "参加人次", "参加人数", required=True, min=0),
        C("志愿者人次", INT, "志愿者人数", min=0),
        C("发放资料(份)", INT, "发放资料", "发放宣传资料", "资料份数", min=0),
        C("面向居民", BOOL, empty_means=True),
        C("共建单位", TEXT),
        C("备注", TEXT, free_text=True),
    ),
)

VOLUNTEERS = Sheet(
    "志愿者名册",
    aliases=("志愿者花名册", "志愿者登记"),
    columns=(
        SEQ,
        C("志愿者编号", CODE, "编号", required=True, unique=True),
        C("姓名", TEXT, required=True, personal=True),
        C("身份证号", ID, "身份证号码", "公民身份号码", personal=True),
        C("手机号", PHONE, "手机号码", "联系电话", "电话", personal=True),
        C("服务队", TEXT, "所属服务队"),
        C("注册日期", DATE, "登记日期", required=True),
        C("是否实名注册", BOOL, "实名注册"),
        C("是否党员", BOOL, "党员"),
    ),
)

SERVICE = Sheet(
    "志愿服务记录",
    aliases=("志愿服务台账",),
    columns=(
        SEQ,
        C("日期", DATE, "服务日期", required=True, event_date=True),
        C("志愿者编号", CODE, "编号", required=True),
        C("服务内容", TEXT, free_text=True),
        C("服务时长(小时)", NUMBER, "服务时长", "时长", "服务小时数", required=True,
          min=0, min_exclusive=True, max=24),
    ),
)

DIBAO = Sheet(
    "低保台账",
    aliases=("低保户台账",),
    unique_keys=(("身份证号", "纳入日期"),),
    no_overlap=("身份证号", "纳入日期", "退出日期"),
    columns=(
        SEQ,
        C("户主姓名", TEXT, "户主", "姓名", required=True, personal=True),
        C("身份证号", ID, "身份证号码", "户主身份证号", required=True, personal=True),
        C("类别", ENUM, "低保类别", "保障类别", enum="低保类别", required=True),
        C("保障人数", INT, "保障人口", "家庭保障人数", required=True, min=1),
        C("月保障金(元)", NUMBER, "月保障金", "月低保金", required=True, min=0),
        C("纳入日期", DATE, "审批日期", required=True),
        C("退出日期", DATE, "停保日期", starts="纳入日期"),
        C("保障类型", ENUM, enum="保障类型"),
    ),
)

DISABILITY = Sheet(
    "残疾人台账",
    aliases=("残疾人名册",),
    columns=(
        SEQ,
        C("姓名", TEXT, required=True, personal=True),
        C("身份证号", ID, "身份证号码", required=True, personal=True, unique=True),
        C("残疾人证号", TEXT, "残疾证号", personal=True),
        C("残疾类别", ENUM, "类别", enum="残疾类别", required=True),
        C("残疾等级", ENUM, "等级", enum="残疾等级", required=True),
        C("是否持证", BOOL, "持证", empty_means=False),
        C("两项补贴", BOOL, "享受两项补贴"),
        C("走访服务次数", INT, "走访次数", "服务次数", min=0),
    ),
)

UNEMPLOYED = Sheet(
    "失业人员台账",
    aliases=("登记失业人员台账",),
    columns=(
        SEQ,
        C("姓名", TEXT, required=True, personal=True),
        C("身份证号", ID, "身份证号码", required=True, personal=True),
        C("性别", ENUM, enum="性别"),
        C("登记失业日期", DATE, "登记日期", "失业登记日期", required=True),
        C("就业困难人员", BOOL, "是否就业困难人员"),
        C("困难类别", ENUM, enum="困难类别"),
        C("参加培训", BOOL, "是否参加培训"),
        C("再就业日期", DATE, "就业日期", starts="登记失业日期"),
        C("就业形式", ENUM, enum="就业形式"),
        C("注销日期", DATE, starts="登记失业日期"),
        C("注销原因", ENUM, enum="注销原因"),
    ),
)

DISPUTES = Sheet(
    "矛盾纠纷台账",
    aliases=("矛盾纠纷调解台账", "纠纷台账"),
    columns=(
        SEQ,
        C("受理日期", DATE, "日期", "登记日期", required=True, event_date=True),
        C("纠纷类型", ENUM, "类型", enum="纠纷类型", required=True),
        C("调解结果", ENUM, "结果", enum="调解结果", required=True),
        C("办结日期", DATE, starts="受理日期"),
        C("来源", ENUM, enum="纠纷来源"),
    ),
)

HAZARDS = Sheet(
    "安全隐患台账",
    aliases=("隐患台账", "安全隐患排查台账"),
    columns=(
        SEQ,
        C("发现日期", DATE, "排查日期", "日期", required=True, event_date=True),
        C("隐患类别", ENUM, "类别", enum="隐患类别", required=True),
        C("隐患等级", ENUM, "等级", enum="隐患等级"),
        C("地点", TEXT, "隐患地点", free_text=True),
        C("整改期限", DATE, "限期"),
        C("整改日期", DATE, "完成整改日期", starts="发现日期"),
        C("整改情况", ENUM, "整改状态", enum="整改情况"),
    ),
)

ASSISTANCE = Sheet(
    "帮扶台账",
    aliases=("走访慰问台账",),
    columns=(
        SEQ,
        C("日期", DATE, required=True, event_date=True),
        C("对象类别", ENUM, "帮扶对象", "对象", enum="对象类别", required=True),
        C("帮扶形式", ENUM, "形式", enum="帮扶形式", required=True),
        C("户次", INT, "人次", required=True, min=1),
        C("金额(元)", NUMBER, "金额", min=0),
    ),
)

DONATIONS = Sheet(
    "捐赠台账",
    aliases=("捐款台账",),
    columns=(
        SEQ,
        C("日期", DATE, required=True, event_date=True),
        C("项目", TEXT, "捐赠项目", required=True),
        C("捐赠人次", INT, "人次", min=0),
        C("金额(元)", NUMBER, "金额", required=True, min=0),
        C("形式", ENUM, enum="捐赠形式"),
    ),
)

INFO = Sheet(
    "信息报送台账",
    aliases=("信息报送",),
    columns=(
        SEQ,
        C("报送日期", DATE, "日期", required=True, event_date=True),
        C("标题", TEXT, required=True),
        C("类型", ENUM, enum="信息类型"),
        C("报送层级", ENUM, enum="层级"),
        C("是否录用", BOOL, "采用", "刊用", "是否采用", empty_means=False),
        C("录用层级", ENUM, enum="层级"),
    ),
)

SAFETY_ITEMS: tuple[tuple[str, str], ...] = (
    # (项目, indicator suffix) — the 平安稳定 sheet's zero-or-count facts
    ("火灾事故(起)", "fires"),
    ("刑事案件(起)", "criminal_cases"),
    ("可防性案件(起)", "preventable_cases"),
    ("治安案件(起)", "public_order_cases"),
    ("信访(件)", "petitions"),
    ("群体性事件(起)", "mass_incidents"),
    ("安全生产事故(起)", "accidents"),
    ("重大刑事案件(起)", "major_criminal_cases"),
)

SAFETY = Sheet(
    "平安稳定",
    key_value=True,
    columns=tuple(C(name, INT, name.split("(")[0], min=0) for name, _ in SAFETY_ITEMS),
)

SHEETS: tuple[Sheet, ...] = (
    PROFILE, ACTIVITY, VOLUNTEERS, SERVICE, DIBAO, DISABILITY, UNEMPLOYED, DISPUTES,
    HAZARDS, ASSISTANCE, DONATIONS, INFO, SAFETY,
)
SHEETS_BY_NAME: dict[str, Sheet] = {s.name: s for s in SHEETS}

# Characters of 残疾人证号 after the 18-character ID: category digit and grade digit.
DISABILITY_CERT_CATEGORY = {"1": "视力", "2": "听力", "3": "言语", "4": "肢体", "5": "智力",
                            "6": "精神", "7": "多重"}
DISABILITY_CERT_GRADE = {"1": "一级", "2": "二级", "3": "三级", "4": "四级"}

# Labels that mark a total row, never a record.
TOTAL_LABELS: tuple[str, ...] = ("合计", "总计", "小计", "累计", "总数")


def personal_columns() -> tuple[tuple[str, str], ...]:
    """(sheet, column) pairs whose values must never leave the ledgers."""
    return tuple((s.name, c.name) for s in SHEETS for c in s.columns if c.masked)
