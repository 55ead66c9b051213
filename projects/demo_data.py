"""The demo data set: weeks 38 to 53 of 2023 of a payments-technology department, as plain data.

Everything here is written in our own words from the facts of the two sample weekly reports (week 38
and week 53); the weeks between follow a plausible, deterministic path. ``projects.demo_load`` turns
it into rows through the services, so history, baselines and planned-date changes are recorded.

Weeks are numbers in the "jan1" numbering of 2023 (week 38 starts Monday 2023-09-11, week 53 starts
Monday 2023-12-25). A dict keyed by week means "from this week on" unless said otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

FIRST_WEEK = 38
LAST_WEEK = 53
YEAR = 2023
# The first week of the next cycle (2024-W01, Monday 2024-01-01), counted on from 2023's weeks: the
# projects and metrics still running are carried over to the 2024 objectives and report once more.
NEXT_CYCLE_WEEK = 54

ON, RISK, OFF = "on_track", "at_risk", "off_track"


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    last_name: str
    first_name: str
    group: str | None
    language: str = "zh-hans"
    superuser: bool = False


USERS = [
    DemoUser("admin", "admin-demo-2023", "管", "理员", None, superuser=True),
    DemoUser("director", "director-demo-2023", "周", "明远", "Directors"),
    DemoUser("chenjing", "owner-demo-2023", "陈", "静", "Project owners"),
    DemoUser("liuyang", "owner-demo-2023", "刘", "洋", "Project owners", language="en"),
    DemoUser("zhaolei", "owner-demo-2023", "赵", "磊", "Project owners"),
    DemoUser("sunli", "owner-demo-2023", "孙", "丽", "Project owners"),
    DemoUser("wuhao", "owner-demo-2023", "吴", "昊", "Project owners"),
    DemoUser("zhengmin", "owner-demo-2023", "郑", "敏", "Project owners"),
]

# team name -> lead's username
TEAMS = {
    "支付核心": "chenjing",
    "收单": "liuyang",
    "账户与存管": "zhaolei",
    "风控数据": "sunli",
    "账单": "wuhao",
    "稳定性": "zhengmin",
}

CYCLE = ("2023", date(2023, 1, 1), date(2023, 12, 31))
NEXT_CYCLE = ("2024", date(2024, 1, 1), date(2024, 12, 31))
# 2024-W01's readings where they differ from 2023's last: the yearly counts start again.
NEXT_CYCLE_READINGS = {
    "支付系统年度可用性": "100",
    "年度不可用时间": "0",
    "CD级事故数": "0",
    "入金有效成功率": "99.998",
    "一次支付成功率": "99.281",
}

# code -> (title, description)
OBJECTIVES = {
    "O1": ("服务业务", "按期交付业务需求：存管、分账、聚合支付与资金安全等能力支撑业务增长。"),
    "O2": ("系统升级", "建设POS收单、银行账户与机房双活等新系统，补齐数据与账单质量。"),
    "O3": ("安全稳定、降本提效", "守住资金安全与系统稳定底线，完成合规治理，持续降本提效。"),
}


@dataclass(frozen=True)
class DemoKeyResult:
    objective: str
    title: str
    unit: str
    start: str
    target: str
    direction: str
    owner: str
    operating: bool
    values: list[str]  # one reading per week, weeks 38..53
    notes: dict[int, str] = field(default_factory=dict)


def _downtime_to_availability(minutes: list[str]) -> list[str]:
    """Year-to-date availability (%) at the end of each week's Friday from the minutes down so far."""
    result = []
    for week, down in zip(range(FIRST_WEEK, LAST_WEEK + 1), minutes, strict=True):
        friday = date(2023, 9, 15).toordinal() + (week - FIRST_WEEK) * 7
        elapsed = (friday - date(2023, 1, 1).toordinal() + 1) * 24 * 60
        result.append(f"{100 * (1 - float(down) / elapsed):.3f}")
    return result


DOWNTIME = [
    "7.40", "7.40", "8.10", "8.10", "8.10", "9.25", "9.25", "9.25",
    "9.25", "9.80", "9.80", "9.80", "27.60", "27.60", "27.60", "29.35",
]  # fmt: skip
TAGGED = [104, 106, 108, 109, 111, 113, 115, 116, 118, 120, 121, 123, 124, 125, 126, 127]

KEY_RESULTS = [
    DemoKeyResult(
        "O3", "入金有效成功率", "%", "99.990", "99.995", "at_least", "chenjing", True,
        ["99.997", "99.996", "99.997", "99.998", "99.997", "99.997", "99.996", "99.997",
         "99.997", "99.998", "99.997", "99.997", "99.996", "99.997", "99.998", "99.997"],
    ),
    DemoKeyResult(
        "O3", "出金有效成功率", "%", "99.950", "99.980", "at_least", "chenjing", True,
        ["99.965", "99.966", "99.968", "99.967", "99.970", "99.972", "99.971", "99.974",
         "99.975", "99.977", "99.976", "99.979", "99.980", "99.981", "99.983", "99.984"],
    ),
    DemoKeyResult(
        "O3", "一次支付成功率", "%", "99.000", "99.250", "at_least", "chenjing", True,
        ["99.150", "99.160", "99.160", "99.175", "99.180", "99.190", "99.195", "99.200",
         "99.210", "99.215", "99.230", "99.240", "99.245", "99.255", "99.262", "99.270"],
    ),
    DemoKeyResult(
        "O3", "支付系统年度可用性", "%", "99.990", "99.990", "at_least", "zhengmin", True,
        _downtime_to_availability(DOWNTIME),
    ),
    DemoKeyResult(
        "O3", "年度不可用时间", "分钟", "0", "52.56", "at_most", "zhengmin", True, DOWNTIME,
        {50: "12/7 支付中台发版回滚失败计入", 53: "含12月全部不可用时间"},
    ),
    DemoKeyResult("O3", "AB级事故数", "次", "0", "0", "at_most", "zhengmin", True, ["0"] * 16),
    DemoKeyResult(
        "O3", "CD级事故数", "次", "0", "2", "at_most", "zhengmin", True,
        ["1"] * 12 + ["1.5"] * 4,
        {50: "12/7 发版回滚失败定责C级，支付中心承担0.5"},
    ),
    DemoKeyResult(
        "O3", "健康分", "分", "640", "700", "increase", "zhengmin", False,
        ["647", "648", "650", "651", "649", "648", "650", "652",
         "651", "650", "648", "647", "649", "648", "646", "647"],
        {38: "定制指标纳入考核后由656降到647，中心排名第5"},
    ),
    DemoKeyResult(
        "O3", "数据库打标进度", "%", "0", "100", "increase", "zhengmin", False,
        [f"{100 * n / 135:.2f}" for n in TAGGED],
        {w: f"{n}/135" for w, n in zip(range(FIRST_WEEK, LAST_WEEK + 1), TAGGED, strict=True)},
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoMilestone:
    title: str
    due: date
    # week -> (status, percent); the state holds from that week on.
    path: dict[int, tuple[str, int]]
    completed_on: date | None = None


@dataclass(frozen=True)
class DemoProject:
    objective: str
    name: str
    owner: str
    team: str
    description: str
    start: date
    qa: date | None
    launch: date | None
    # week -> percent at that week; the weeks between are interpolated (ignored with milestones).
    percent: dict[int, int]
    # week -> (this week, next steps); carried forward until the next entry.
    notes: dict[int, tuple[str, str]]
    first_week: int = FIRST_WEEK
    last_week: int = LAST_WEEK  # last week with an update (< 53 for a stale project)
    done_week: int | None = None  # the week it launched and was marked done
    key_work: bool = False
    health: dict[int, str] = field(default_factory=dict)
    risks: dict[int, str] = field(default_factory=dict)
    # (week, "qa" | "launch", new date): the plan moved during that week.
    slips: list[tuple[int, str, date | None]] = field(default_factory=list)
    milestones: list[DemoMilestone] = field(default_factory=list)


D = date
DONE, DOING, TODO, BLOCKED = "done", "in_progress", "not_started", "blocked"

PROJECTS = [
    # ---------------------------------------------------------------- O1 服务业务
    DemoProject(
        "O1", "家家盈平台", "liuyang", "收单", "小贝项目：以理房通账户模式支撑家家盈平台。",
        D(2023, 8, 1), D(2023, 9, 27), D(2023, 10, 16),
        {38: 55, 41: 85, 44: 100},
        {
            38: ("账户模式开发按计划推进。", "9/27提测。"),
            39: ("提测推迟，账户模式与业务侧口径对齐中。", "10/10提测，10/26上线。"),
            41: ("已提测，回归测试进行中。", "准备上线。"),
            44: ("系统已上线，业务验证通过。", "观察运行情况后结项。"),
        },
        done_week=44,
        health={39: RISK, 41: ON},
        risks={39: "业务口径变化，提测和上线各推迟约两周。", 41: ""},
        slips=[(39, "qa", D(2023, 10, 10)), (40, "launch", D(2023, 10, 26))],
    ),
    DemoProject(
        "O1", "存管衍生-银行卡办理", "zhaolei", "账户与存管", "办卡能力建设与运营流程线上化。",
        D(2023, 8, 15), D(2023, 11, 10), D(2023, 11, 30),
        {38: 15, 44: 45, 48: 65, 51: 80},
        {
            38: ("与浦发银行沟通接口与方案，交互设计文档随之更新。", "确认银行接口文档，完成交互评审。"),
            41: ("交互评审通过，办卡流程开发中。", "完成银行侧联调环境准备。"),
            45: ("与浦发银行联调中，运营后台同步开发。", "联调通过后提测。"),
            48: ("银行侧接口变更，联调延期。", "重新排期，12/21上线。"),
            50: ("提测完成，测试中。", "修复缺陷，准备上线。"),
        },
        last_week=51,
        health={47: RISK, 51: OFF},
        risks={47: "银行侧接口调整，排期依赖对方。", 51: "测试缺陷较多，12/21上线无法保证。"},
        slips=[(47, "qa", D(2023, 12, 8)), (47, "launch", D(2023, 12, 21))],
    ),
    DemoProject(
        "O1", "房屋交割保障", "zhaolei", "账户与存管", "物保资金解冻与解除场景下的双边利息分配规则优化。",
        D(2023, 8, 21), D(2023, 9, 19), D(2023, 9, 26),
        {38: 85, 40: 100},
        {
            38: ("利息分配规则优化测试中。", "9/26上线。"),
            40: ("已按计划上线。", "跟踪首批解冻订单的利息分配。"),
        },
        done_week=40,
    ),
    DemoProject(
        "O1", "分账升级", "chenjing", "支付核心", "分账2.0切量与大表治理。",
        D(2023, 6, 1), D(2023, 10, 20), D(2023, 11, 30),
        {38: 55, 42: 70, 46: 90, 49: 100},
        {
            38: ("切量与大表治理方案评审通过，泛ACN与商业地产服务费已切量。", "继续切量其余业务线。"),
            42: ("主要业务线切量完成，大表归档开发中。", "大表归档提测。"),
            46: ("大表归档上线，剩余长尾业务切量中。", "11月底全部切量完成。"),
            49: ("全部业务切量完成，旧链路下线。", "结项复盘。"),
        },
        done_week=49,
    ),
    DemoProject(
        "O1", "定转X能力建设", "wuhao", "账户与存管", "定金转装修款等资金转换能力。",
        D(2023, 7, 3), D(2023, 9, 8), D(2023, 9, 21),
        {38: 90, 39: 100},
        {
            38: ("定转装修款提测完成，showcase通过。", "9/21上线。"),
            39: ("已上线。", "观察首批订单。"),
        },
        done_week=39,
    ),
    DemoProject(
        "O1", "平安存管", "sunli", "账户与存管", "接入平安银行资金存管。",
        D(2023, 7, 10), D(2023, 9, 20), D(2023, 9, 30),
        {38: 70, 40: 80, 43: 100},
        {
            38: ("银行侧接口沟通完成，开发收尾。", "9/30上线。"),
            40: ("银行侧排期调整，上线推迟。", "10/20上线。"),
            43: ("已上线，首笔存管交易正常。", "结项。"),
        },
        done_week=43,
        health={40: RISK, 43: ON},
        risks={40: "银行侧投产窗口推迟。", 43: ""},
        slips=[(40, "launch", D(2023, 10, 20))],
    ),
    DemoProject(
        "O1", "杭州政府存管", "sunli", "账户与存管", "杭州政府资金存管对接。",
        D(2023, 7, 17), D(2023, 9, 15), D(2023, 9, 26),
        {38: 80, 40: 100},
        {
            38: ("需求变更后研发完成八成，支付侧上线日期不变，业务侧10/12上线。", "9/26支付侧上线。"),
            40: ("支付侧已上线，等待业务侧上线。", "配合业务侧10/12上线。"),
        },
        done_week=40,
    ),
    DemoProject(
        "O1", "济南公积金对接", "wuhao", "支付核心", "济南公积金支付单对接。",
        D(2023, 8, 7), D(2023, 9, 12), D(2023, 9, 22),
        {38: 85, 39: 100},
        {
            38: ("支付单优化已提测，与业务侧联调。", "9/22生产试单。"),
            39: ("生产试单成功，已上线。", "观察。"),
        },
        done_week=39,
    ),
    DemoProject(
        "O1", "商户品质优化", "liuyang", "收单", "企业钱包H5看账功能。",
        D(2023, 7, 24), D(2023, 8, 28), D(2023, 9, 5),
        {38: 80, 40: 100},
        {
            38: ("企业钱包H5看账前后台联调中，原定上线日已过。", "联调完成后9/28上线。"),
            40: ("已上线。", "收集商户反馈。"),
        },
        done_week=40,
        health={38: RISK, 40: ON},
        risks={38: "联调晚于计划。", 40: ""},
        slips=[(38, "launch", D(2023, 9, 28))],
    ),
    DemoProject(
        "O1", "店东看懂帐", "liuyang", "收单", "新版企业钱包H5与交易订单的房源信息匹配。",
        D(2023, 7, 10), D(2023, 8, 25), D(2023, 9, 5),
        {38: 85, 42: 100},
        {
            38: ("新版H5一期已上线；约3400万合同号的订单房源匹配进行中。", "完成房源数据匹配。"),
            40: ("房源数据匹配完成，抽样核对中。", "二期需求评审。"),
            42: ("数据核对通过，一期结项。", "二期另行立项。"),
        },
        done_week=42,
    ),
    DemoProject(
        "O1", "物保二期", "zhaolei", "账户与存管", "网银原路退对结息成功率的影响优化。",
        D(2023, 10, 9), D(2023, 12, 22), D(2023, 12, 28),
        {41: 10, 46: 40, 50: 65, 53: 85},
        {
            41: ("需求评审完成，开始方案设计。", "技术方案评审。"),
            44: ("方案评审通过，开发中。", "12/22提测。"),
            51: ("开发收尾，年底前封网。", "提测后元旦后上线。"),
            53: ("结息成功率优化已提测。", "元旦后上线。"),
        },
        first_week=41,
        slips=[(51, "launch", D(2024, 1, 8))],
        risks={51: "年底封网，上线推到元旦后。"},
    ),
    DemoProject(
        "O1", "资金安全-C端单单提醒", "chenjing", "支付核心", "面向C端用户的每笔资金变动提醒。",
        D(2023, 10, 16), D(2023, 12, 15), D(2023, 12, 27),
        {42: 5, 47: 45, 51: 80, 53: 100},
        {
            42: ("立项，梳理提醒场景。", "方案评审。"),
            45: ("开发中。", "12/15提测。"),
            51: ("已提测。", "12/27上线。"),
            53: ("单单提醒上线完成。", "观察触达率。"),
        },
        first_week=42,
        done_week=53,
    ),
    DemoProject(
        "O1", "交易不成退代", "chenjing", "支付核心", "交易不成时代付款项的退回（履约能力建设）。",
        D(2023, 9, 11), D(2023, 11, 24), D(2023, 12, 20),
        {38: 5, 42: 25, 47: 50, 51: 65, 53: 75, 54: 80},
        {
            38: ("履约能力建设项目kickoff，研发方案沟通中。", "方案评审。"),
            41: ("方案评审通过，开发中。", "11/24提测。"),
            47: ("改造范围扩大到全链路，提测推迟。", "12/8提测。"),
            50: ("全链路改造范围测试中。", "1/4上线。"),
            54: ("回归测试发现退款对账差异，上线推迟到1/18。", "修复对账差异，1/18上线。"),
        },
        health={47: RISK},
        risks={47: "改造范围扩大，测试量增加。", 54: "对账差异修复依赖财务确认口径。"},
        slips=[(47, "qa", D(2023, 12, 8)), (51, "launch", D(2024, 1, 4)), (54, "launch", D(2024, 1, 18))],
    ),
    DemoProject(
        "O1", "贝好家意向金", "zhaolei", "账户与存管", "基于百信银行二类户的意向金业务。",
        D(2023, 10, 9), D(2023, 12, 8), D(2023, 12, 22),
        {41: 10, 47: 50, 51: 85, 53: 90},
        {
            41: ("立项，确定二类户方案。", "银行联调。"),
            45: ("与百信银行联调中。", "12/8提测。"),
            51: ("已上线，生产试单。", "试单验证。"),
            53: ("生产试单验证中；快捷限额问题已推动银行整改。", "元旦后对接转账方案，作为支付兜底。"),
        },
        first_week=41,
        health={52: RISK},
        risks={52: "快捷支付限额影响试单，依赖银行侧路由整改。"},
    ),
    DemoProject(
        "O1", "聚合支付", "chenjing", "支付核心", "聚合支付的退款、账单与保险业务接入。",
        D(2023, 10, 9), D(2023, 12, 1), D(2024, 1, 11),
        {41: 10, 47: 50, 53: 80},
        {
            41: ("需求评审，确定退款与账单范围。", "开发。"),
            45: ("退款与账单开发中。", "12月上线退款与账单。"),
            51: ("退款与账单已上线。", "1/11投产保险业务。"),
        },
        first_week=41,
    ),
    # ---------------------------------------------------------------- O2 系统升级
    DemoProject(
        "O2", "POS收单系统建设", "liuyang", "收单", "自建POS收单：支付链路、终端、APP、内管与过检。",
        D(2023, 6, 1), D(2023, 11, 10), D(2023, 12, 15),
        {},
        {
            38: ("后端链路showcase完成，清结算测试案例评审完成；APP与SDK开发85%。", "APP提测，对账方案评审。"),
            40: ("APP与SDK提测，对账技术方案评审通过。", "内管功能开发。"),
            44: ("APP与应用市场上线，内管开发中。", "核心支付链路联调。"),
            48: ("核心支付链路与库存管理上线。", "终端申请上线。"),
            50: ("终端申请上线；商户巡检测试中。", "巡检上线，准备过检材料。"),
            52: ("商户巡检测试推进，ARK过检答疑与加密机对接启动。", "巡检上线。"),
            53: ("四项已上线，巡检测试80%，过检答疑与加密机对接进行中。", "下周巡检上线。"),
            54: ("商户巡检上线，五项已上线；过检答疑推进中。", "加密机联调。"),
        },
        key_work=True,
        health={49: RISK, 52: ON},
        risks={49: "过检与加密机依赖外部，整体上线推迟到1月。", 52: "金融加密机对接依赖厂商排期。"},
        slips=[(49, "launch", D(2024, 1, 12))],
        milestones=[
            DemoMilestone("核心支付链路", D(2023, 11, 24),
                          {38: (DOING, 70), 42: (DOING, 85), 48: (DONE, 100)}, D(2023, 11, 23)),
            DemoMilestone("POS APP与应用市场", D(2023, 10, 31),
                          {38: (DOING, 85), 40: (DOING, 95), 44: (DONE, 100)}, D(2023, 10, 26)),
            DemoMilestone("POS机具库存管理", D(2023, 11, 30),
                          {38: (DOING, 10), 42: (DOING, 50), 48: (DONE, 100)}, D(2023, 11, 24)),
            DemoMilestone("POS终端申请", D(2023, 12, 8),
                          {38: (DOING, 10), 44: (DOING, 60), 50: (DONE, 100)}, D(2023, 12, 8)),
            DemoMilestone("商户巡检", D(2024, 1, 5),
                          {38: (TODO, 0), 45: (DOING, 20), 50: (DOING, 50), 53: (DOING, 80), 54: (DONE, 100)},
                          D(2024, 1, 3)),
            DemoMilestone("ARK过检材料答疑", D(2024, 1, 19), {50: (DOING, 20), 53: (DOING, 50), 54: (DOING, 60)}),
            DemoMilestone("金融加密机对接", D(2024, 1, 31), {51: (DOING, 20), 53: (DOING, 40)}),
        ],
    ),
    DemoProject(
        "O2", "支付系统双活", "zhengmin", "稳定性", "支付链路机房双活（昌平万国机房）。",
        D(2023, 9, 11), None, D(2024, 3, 29),
        {38: 5, 41: 15, 46: 35, 50: 50, 53: 60, 54: 63},
        {
            38: ("与基础平台沟通双活方案。", "完成双活规划。"),
            40: ("双活规划评审通过。", "改造支付链路单元化。"),
            45: ("支付链路单元化改造中。", "新机房部署。"),
            50: ("新机房部署完成，开始链路验证。", "收银台演练。"),
            53: ("新机房支付链路交易跑通，钱包收银台演练完成；部分系统需预热。", "解决预热问题。"),
            54: ("预热方案评审通过，收银台灰度切量5%。", "扩大切量到20%。"),
        },
        key_work=True,
        health={53: RISK, 54: ON},
        risks={53: "部分系统切换后需要预热，影响切量节奏。"},
    ),
    DemoProject(
        "O2", "风险数据指标", "sunli", "风控数据", "风控与反洗钱数据指标建设。",
        D(2023, 9, 11), D(2023, 12, 15), D(2024, 1, 31),
        {38: 5, 42: 15, 47: 30, 50: 40, 53: 50},
        {
            38: ("立项材料内部评审完成。", "正式立项。"),
            40: ("立项完成，梳理指标口径。", "核查单开发。"),
            45: ("核查单开发中，外采风控数据迁移方案评审。", "迁移开发。"),
            52: ("核查单开发50%；外采数据迁移上线。", "下周启动刷数。"),
        },
        health={47: RISK, 50: ON},
        risks={47: "外采数据迁移方案需与供应商确认。", 50: ""},
    ),
    DemoProject(
        "O2", "账单数据质量治理", "wuhao", "账单", "账单验证环境、二合一出仓与字段血缘治理。",
        D(2023, 8, 1), None, D(2023, 12, 29),
        {},
        {
            38: ("验证环境工厂空间已配置，等待大数据侧新版投产时间；二合一出仓开发50%。", "跟进大数据侧排期。"),
            43: ("二合一出仓与报警配置完成。", "验证环境接入测试表。"),
            47: ("验证环境可用。", "补齐字段血缘。"),
            49: ("交易、账户账单字段血缘梳理基本完成。", "剩余账单类型。"),
        },
        last_week=51,
        health={38: RISK, 42: ON},
        risks={38: "依赖大数据侧新版工厂投产。", 42: ""},
        milestones=[
            DemoMilestone("账单验证环境", D(2023, 11, 17),
                          {38: (BLOCKED, 60), 42: (DOING, 75), 47: (DONE, 100)}, D(2023, 11, 15)),
            DemoMilestone("二合一出仓与报警配置", D(2023, 10, 20),
                          {38: (DOING, 50), 40: (DOING, 80), 43: (DONE, 100)}, D(2023, 10, 19)),
            DemoMilestone("账单字段逻辑与血缘梳理", D(2023, 12, 22),
                          {38: (DOING, 40), 44: (DOING, 60), 49: (DOING, 80), 51: (DOING, 90)}),
        ],
    ),
    DemoProject(
        "O2", "银行账户-百信银行二类户", "zhaolei", "账户与存管", "百信银行二类户系统，支撑贝好家意向金。",
        D(2023, 10, 9), D(2023, 12, 8), D(2023, 12, 22),
        {41: 10, 46: 55, 51: 85, 53: 90},
        {
            41: ("立项，方案设计。", "银行接口对接。"),
            45: ("银行接口联调中。", "提测。"),
            51: ("系统上线，开始试单。", "试单验证。"),
            53: ("已上线并试单验证中；发现快捷限额问题，推动银行侧路由整改。", "跟进银行整改。"),
        },
        first_week=41,
        key_work=True,
        health={52: RISK},
        risks={52: "快捷限额依赖银行侧整改。"},
    ),
    DemoProject(
        "O2", "银行账户-机构虚户", "zhaolei", "账户与存管", "机构虚户：开户、配资、回提、汇总结算。",
        D(2023, 12, 4), D(2024, 2, 9), D(2024, 3, 15),
        {50: 5, 53: 15},
        {
            50: ("启动，梳理开户与结算场景。", "链路设计评审。"),
            53: ("系统链路评审完成，明确各场景链路与虚户前置、虚户核心的定位。", "详细设计。"),
        },
        first_week=50,
        key_work=True,
    ),
    # ---------------------------------------------------------------- O3 安全稳定、降本提效
    DemoProject(
        "O3", "两联合规改造三期", "sunli", "支付核心", "履约标识改代付、小额打款传商编、通道信息留存。",
        D(2023, 7, 3), D(2023, 8, 25), D(2023, 9, 8),
        {38: 100},
        {38: ("三期上线验证完成，新增数据全部正常留存。", "结项。")},
        last_week=38,
        done_week=38,
    ),
    DemoProject(
        "O3", "备付金盘点", "wuhao", "账单", "备付金盘点系统化。",
        D(2023, 7, 17), D(2023, 9, 14), D(2023, 9, 28),
        {38: 90, 40: 92, 43: 100},
        {
            38: ("已提测，生产配置数据准备中。", "9/28上线。"),
            40: ("生产配置数据核对发现差异，上线推迟。", "10/19上线。"),
            43: ("已上线，首次盘点完成。", "结项。"),
        },
        done_week=43,
        health={40: RISK, 43: ON},
        risks={40: "生产配置数据需逐项核对。", 43: ""},
        slips=[(40, "launch", D(2023, 10, 19))],
    ),
    DemoProject(
        "O3", "数据库打标治理", "zhengmin", "稳定性", "支付中心数据库分级打标（报备不打标的除外）。",
        D(2023, 6, 1), None, D(2023, 12, 29),
        {38: 77, 53: 94},
        {
            38: ("共195个库，61个报备不打标，已打标104个（77.04%）。", "继续推进剩余库打标。"),
            45: ("剩余库按团队分派打标。", "每周推进3-4个库。"),
            51: ("年底前打标率过九成。", "剩余库明年一季度完成。"),
        },
        health={49: RISK},
        risks={49: "剩余库涉及老系统，年内难以全部完成。"},
    ),
    DemoProject(
        "O3", "静默开户合规治理", "sunli", "风控数据", "静默开户的合规整改。",
        D(2023, 9, 11), D(2023, 11, 30), D(2023, 12, 29),
        {38: 5, 42: 20, 48: 35, 52: 50},
        {
            38: ("需求方案与范围沟通完成，排期中。", "确定排期。"),
            41: ("排期确定，开发中。", "11/30提测。"),
            48: ("涉及存量账户清理，范围扩大。", "重新评估排期。"),
            50: ("存量账户清理方案评审。", "分批清理。"),
        },
        last_week=52,
        health={48: OFF, 50: RISK},
        risks={48: "存量账户清理范围超出预期，原计划无法完成。"},
        slips=[(48, "qa", D(2024, 1, 19)), (48, "launch", D(2024, 2, 29))],
    ),
    DemoProject(
        "O3", "健康分与稳定性提升", "zhengmin", "稳定性", "健康分定制指标、报警跟进率与数据库规范。",
        D(2023, 6, 1), None, D(2023, 12, 29),
        {38: 50, 45: 70, 53: 100},
        {
            38: ("定制指标纳入考核，健康分656降到647，中心第5；推进报警5分钟跟进率和P0/P1库default null规范。",
                 "监控分级治理。"),
            43: ("监控分级治理完成一半。", "default null规范整改。"),
            48: ("报警跟进率达标，规范整改收尾。", "结项准备。"),
            53: ("度量与提升项目结项，长效机制待完善。", "明年建立长效机制。"),
        },
        done_week=53,
        health={38: RISK, 43: ON},
        risks={38: "定制指标拉低健康分。", 43: ""},
    ),
    DemoProject(
        "O3", "营收收入对接EBS", "wuhao", "账单", "营收收入数据对接财务EBS。",
        D(2023, 10, 16), D(2023, 11, 24), D(2023, 12, 15),
        {42: 10, 47: 50, 50: 70, 53: 80},
        {
            42: ("需求评审。", "开发。"),
            45: ("开发完成，提测。", "旁路验证。"),
            49: ("本月旁路验证，与财务核对。", "元旦月结后投产。"),
        },
        first_week=42,
        slips=[(49, "launch", D(2024, 1, 8))],
        risks={49: "需财务月结后才能切换。"},
    ),
    DemoProject(
        "O3", "年结保障", "chenjing", "支付核心", "年结期间关键系统巡检与值守。",
        D(2023, 12, 11), None, D(2023, 12, 31),
        {51: 20, 52: 60, 53: 90},
        {
            51: ("梳理年结关键系统清单。", "安排巡检。"),
            52: ("巡检计划与值守表确定。", "元旦值守。"),
            53: ("收支管理、业财、账单等系统巡检与值守安排完毕，关键研发元旦值班。", "元旦值守。"),
        },
        first_week=51,
        key_work=True,
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoIncident:
    title: str
    detected_at: datetime  # naive, Asia/Shanghai
    resolved_at: datetime | None
    grade: str
    share: str
    team: str
    project: str | None
    description: str
    impact: str
    handling: str
    follow_up: str
    postmortem_done: bool = False
    reported_by: str = "zhengmin"


DT = datetime
INCIDENTS = [
    DemoIncident(
        "批量刷数导致ES索引分片异常", DT(2023, 9, 10, 9, 29), DT(2023, 9, 10, 11, 5), "event", "1", "账单", None,
        "向交易明细聚合ES批量回填房源地址，两个索引的分片出现异常。",
        "该ES尚未投产，业务无影响。",
        "停止回填；将异常分片置为空分片，集群监控恢复正常。",
        "关闭ES集群swap，长期改用独立存储与独立集群。",
        reported_by="wuhao",
    ),
    DemoIncident(
        "银联新客结保证金余额查询读超时", DT(2023, 9, 11, 10, 12), None, "event", "1", "支付核心", None,
        "监控发现银联新客结十余笔请求读超时。",
        "共7笔，均为清算保证金余额查询，在线交易不受影响。",
        "运维排查网络无异常，怀疑对方保证金系统问题。",
        "与银联确认根因。",
        reported_by="chenjing",
    ),
    DemoIncident(
        "POS撤销报错致金融订单状态未更新", DT(2023, 9, 14, 18, 2), DT(2023, 9, 15, 11, 30), "D", "1", "收单",
        "POS收单系统建设",
        "两笔金融订单入金成功后POS撤销报错；渠道侧以联机退货强制退款，但撤销单状态未变更。",
        "金融侧资金被拦截，无法重新支付。",
        "修正撤销单状态并通知上游。",
        "撤销失败场景增加状态补偿与告警。",
        reported_by="liuyang",
    ),
    DemoIncident(
        "支付中台发版回滚失败", DT(2023, 12, 7, 20, 12), DT(2023, 12, 7, 20, 30), "C", "0.5", "支付核心", None,
        "支付中台发版异常后回滚未成功，部分支付请求失败。",
        "约18分钟支付链路不可用，计入年度不可用时间。",
        "人工回退版本并重启服务后恢复。",
        "复盘完成，定责C级，支付中心承担0.5；发版回滚纳入演练。",
        postmortem_done=True,
        reported_by="chenjing",
    ),
    DemoIncident(
        "代理sftp配置被关闭致对账单推送失败", DT(2023, 12, 26, 9, 26), DT(2023, 12, 26, 10, 20), "event", "1", "账单",
        None,
        "运维变更关闭了代理sftp配置，两条拉卡拉渠道（支付宝、微信）的对账单推送时连接被拒绝。",
        "对账单推送延迟约一小时，未影响交易。",
        "恢复代理配置后重新推送。",
        "运维变更增加依赖方检查清单。",
        reported_by="wuhao",
    ),
]  # fmt: skip


@dataclass(frozen=True)
class DemoNote:
    highlights: str
    other_work: str = ""
    reflections: str = ""
    next_week: str = ""


NOTES = {
    38: DemoNote(
        highlights=(
            "【部门分工调整】从重系统建设转向重价值交付，围绕战略与OKR重新分工；各组交接预计下月底完成。\n"
            "【稳定性专题会】回顾近三个月的稳定性：\n"
            "1. 数据：成功率稳步提升、波动收窄，事故与事件减少；渠道侧变更与故障增多，需加强监控与预案。\n"
            "2. 项目：五个专项均有进展，易做的已做完，下一步要突破瓶颈、沉淀机制和工具。\n"
            "3. 文化：零资损是底线，凡事闭环，功夫在平时。\n"
            "【商户系统升级】可行性汇报完成，目标是面向居住生态的企业钱包服务：\n"
            "1. 领域模型：商户档案与KYC、平台与散户模式、产品与账户、门店多层级等。\n"
            "2. 范围、里程碑与人员已确定，交接启动。\n"
            "【人行现场检查】资料提交完成，结果基本符合预期。"
        ),
        other_work=(
            "1. 支持人行现场检查\n2. 团队分工与OKR沟通\n3. 市场化机制汇报\n4. 稳定性专题会\n"
            "5. 高新与加计扣除启动\n6. 科技驱动研讨\n7. 国庆值班安排"
        ),
        reflections="犹豫最消耗人，行动本身就是解脱：做得不完美，也好过原地不动。",
        next_week=(
            "1. 数据指标与机房双活的规划\n2. 商户升级总体架构与一期计划\n3. 人行现场检查支持\n"
            "4. SaaS产品调研\n5. 科技驱动研讨"
        ),
    ),
    42: DemoNote(
        highlights="【POS收单】APP与应用市场上线。\n【分账升级】主要业务线切量完成。",
        next_week="1. POS核心链路联调\n2. 双活改造方案落地",
    ),
    48: DemoNote(
        highlights="【POS收单】核心支付链路与库存管理上线。\n【交易不成退代】改造扩大到全链路，提测顺延。",
        next_week="1. POS终端申请上线\n2. 静默开户范围重新评估",
    ),
    50: DemoNote(
        highlights="【稳定性】12/7 支付中台发版回滚失败，已复盘，定责C级（支付中心0.5）。\n【POS收单】终端申请上线。",
        reflections="发版回滚必须像功能一样被测试和演练。",
        next_week="1. 发版回滚演练\n2. 年结保障准备",
    ),
    53: DemoNote(
        highlights=(
            "【年结保障】收支管理、业财、账单等关键系统巡检与值守已安排，关键研发元旦值班。\n"
            "【2024规划】组织支付技术研讨，理清各组明年主线：\n"
            "1. 安全稳定：摸清治理现状和关键短板。\n"
            "2. 快速交付：已有能力的需求一周内（5人日）交付，从需求准入、架构、技术与度量四方面推进。\n"
            "3. 增量探索：门店钱包与银行虚户；AIGC与大模型。\n"
            "【银行账户】\n"
            "1. 百信二类户已上线试单，快捷限额问题推动银行整改路由。\n"
            "2. 机构虚户完成链路评审，明确开户、配资、回提、汇总结算链路及前置与核心定位。\n"
            "【资金存管研讨】回顾今年迭代，梳理明年挑战（银行费用与政府存管带来的收入压力、衍生业务、平台服务、"
            "品质体验）与对策（系统升级、新能力、品质提升、交付效率）。\n"
            "【AIGC推广】存管助手内测准确率约九成（65/72）；商户助手DEMO验收完成，准备接生产数据验证。"
        ),
        other_work=(
            "1. 年度绩效沟通\n2. 年结保障与稳定性跟进\n3. 2024规划与专题研讨\n4. 重点项目月度review\n"
            "5. 楼盘字典定价策略讨论"
        ),
        reflections="环境越不确定，越要找到确定的部分，同时主动种下对未来有利的变数。",
        next_week="1. 年度绩效沟通\n2. 金融支付平台研讨\n3. 部门OKR聚焦与对齐\n4. 重点项目跟进",
    ),
}
