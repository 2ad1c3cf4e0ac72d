"""The report's views as both its workbook and its page show them: columns, units, the anchors a
flagged figure links to, and the highlights."""
from __future__ import annotations

from decimal import Decimal

LEVEL_ORDER = ("省汇总", "省本级", "市汇总", "市本级", "县级")
REGION_HEADERS = [
    ("region_code", "行政区划代码", "code"), ("level", "层级", "text"), ("region", "地区", "text"),
    ("validation", "校验状态", "text"),
    ("departments", "部门数", "int"), ("accounts", "决算数", "int"), ("budgets", "预算数", "int"),
    ("member_regions", "所含地区数", "int"),
    ("expenditure_total_yuan", "决算支出合计(万元)", "wan"), ("rank_expenditure", "支出排名", "int"),
    ("basic_yuan", "基本支出(万元)", "wan"), ("project_yuan", "项目支出(万元)", "wan"), ("basic_share", "基本支出占比", "pct"),
    ("share_201", "一般公共服务占比", "pct"), ("share_205", "教育占比", "pct"), ("share_208", "社会保障和就业占比", "pct"),
    ("share_210", "卫生健康占比", "pct"), ("share_221", "住房保障占比", "pct"), ("share_other", "其他功能分类占比", "pct"),
    ("three_public_budget_yuan", "“三公”预算(万元)", "wan"), ("three_public_actual_yuan", "“三公”决算(万元)", "wan"),
    ("three_public_rate", "“三公”决算/预算", "pct"),
    ("expenditure_growth", "支出同比增长(同口径)", "pct"), ("rank_growth", "增长排名", "int"),
    ("projects", "自评项目数", "int"), ("budget_adjusted_yuan", "项目全年预算数(万元)", "wan"),
    ("executed_yuan", "项目全年执行数(万元)", "wan"), ("execution_rate", "执行率(按金额加权)", "pct"),
    ("rank_execution", "执行率排名", "int"),
    ("score_reported_avg", "自评平均分", "score"), ("score_recomputed_avg", "重算平均分", "score"),
    ("rank_score", "重算分排名", "int"), ("score_gap", "自评高出重算", "score"), ("rank_inflation", "虚高排名", "int"),
    ("grade_excellent", "优", "int"), ("grade_good", "良", "int"), ("grade_fair", "中", "int"), ("grade_poor", "差", "int"),
    ("errors", "错误", "int"), ("warnings", "警告", "int"), ("infos", "提示", "int"),
    ("failed_rules", "未通过原因", "text"), ("error_yuan", "错误涉及金额(万元)", "wan"),
    ("coverage_note", "覆盖说明", "text"),
    ("is_synthetic", "合成数据", "flag"),
]
PROJECT_HEADERS = [
    ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"), ("department", "部门", "text"), ("project_name", "项目", "text"),
    ("budget_initial_yuan", "年初预算数(万元)", "wan"),
    ("budget_adjusted_yuan", "全年预算数(万元)", "wan"), ("executed_yuan", "全年执行数(万元)", "wan"),
    ("execution_rate", "执行率", "pct"), ("initial_execution_rate", "执行率(对年初预算)", "pct"),
    ("total_score_reported", "自评总分", "score"),
    ("total_score_recomputed", "重算总分", "score"), ("grade_reported", "自评等级", "text"),
    ("grade_recomputed", "重算等级", "text"), ("flagged", "校验问题数", "int"), ("source_file", "来源文件", "text"),
    ("location", "位置", "text"), ("is_synthetic", "合成数据", "flag"),
]
HIGHLIGHT_HEADERS = [("category", "类别", "text"), ("item", "对象", "text"), ("value", "情况", "text")]
DEPARTMENT_HEADERS = [
    ("adcode", "行政区划代码", "code"), ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"), ("department", "部门", "text"),
    ("income_total_yuan", "本年收入合计(万元)", "wan"), ("expenditure_total_yuan", "本年支出合计(万元)", "wan"),
    ("basic_yuan", "基本支出(万元)", "wan"), ("project_yuan", "项目支出(万元)", "wan"), ("basic_share", "基本支出占比", "pct"),
    ("personnel_yuan", "人员经费(万元)", "wan"), ("public_expenses_yuan", "公用经费(万元)", "wan"),
    ("three_public_budget_yuan", "“三公”经费预算(万元)", "wan"), ("three_public_actual_yuan", "“三公”经费决算(万元)", "wan"),
    ("previous_expenditure_total_yuan", "上年支出合计(万元)", "wan"), ("expenditure_growth", "支出增长", "pct"),
    ("errors", "错误", "int"), ("flagged", "校验问题数", "int"), ("source_file", "来源文件", "text"),
    ("is_synthetic", "合成数据", "flag"),
]
EXECUTION_HEADERS = [
    ("adcode", "行政区划代码", "code"), ("region", "地区", "text"), ("region_validation", "地区校验状态", "text"),
    ("department", "部门", "text"), ("budget_yuan", "年初预算(万元)", "wan"), ("final_yuan", "决算(万元)", "wan"),
    ("difference_yuan", "决算−预算(万元)", "wan"), ("completion_rate", "完成年初预算", "pct"),
    ("unmatched_classes", "仅一方列示的功能分类数", "int"), ("budget_file", "预算来源文件", "text"),
    ("final_file", "决算来源文件", "text"), ("is_synthetic", "合成数据", "flag"),
]
EXECUTION_CLASS_HEADERS = [
    ("adcode", "行政区划代码", "code"), ("region", "地区", "text"), ("department", "部门", "text"),
    ("subject_code", "功能分类代码", "text"), ("subject_name", "功能分类", "text"),
    ("budget_yuan", "年初预算(万元)", "wan"), ("final_yuan", "决算(万元)", "wan"),
    ("difference_yuan", "决算−预算(万元)", "wan"), ("completion_rate", "完成年初预算", "pct"),
    ("is_synthetic", "合成数据", "flag"),
]
DISCLOSURE_HEADERS = [
    ("adcode", "行政区划代码", "code"), ("region", "地区", "text"), ("department", "部门", "text"), ("kind", "文件", "text"),
    ("published", "已公开表数", "int"), ("empty", "空表数", "int"), ("missing", "缺少表数", "int"),
    ("tables", "各表", "text"), ("missing_tables", "缺少的表", "text"),
    ("published_on", "公开日期", "text"), ("approved_on", "批复日期", "text"), ("deadline", "20日时限", "text"),
    ("source_file", "来源文件", "text"), ("is_synthetic", "合成数据", "flag"),
]
VIOLATION_HEADERS = [
    ("rule_id", "规则", "text"), ("description_zh", "规则说明", "text"), ("severity", "级别", "text"),
    ("region", "地区", "text"), ("entity", "对象", "text"),
    ("expected_value", "应为", "measure"), ("actual_value", "实际", "measure"), ("difference_value", "差额", "measure"),
    ("figure_unit", "单位", "text"), ("message", "说明", "text"),
    ("source_file", "来源文件", "text"), ("page", "页", "int"), ("location", "位置", "text"),
]
PEER_HEADERS = [
    ("level", "层级", "text"), ("figure", "指标", "text"), ("region", "地区", "text"), ("region_code", "行政区划代码", "code"),
    ("value", "本地区", "measure"), ("peers", "同级地区数", "int"), ("p25", "下四分位数", "measure"),
    ("median", "中位数", "measure"), ("p75", "上四分位数", "measure"), ("above", "高于同级比例", "pct"),
    ("figure_unit", "单位", "text"), ("is_synthetic", "合成数据", "flag"),
]
# the figures set against the regions of the same level: (column, name, unit, the coverage it needs)
PEER_FIGURES = (
    ("expenditure_total_yuan", "决算支出合计", "万元", "comparable_accounts"),
    ("basic_share", "基本支出占比", "%", "comparable_accounts"),
    ("expenditure_growth", "支出同比增长(同口径)", "%", "comparable_accounts"),
    ("three_public_rate", "“三公”决算/预算", "%", "comparable_accounts"),
    ("execution_rate", "执行率(按金额加权)", "%", "comparable_projects"),
    ("score_recomputed_avg", "重算平均分", "分", "comparable_projects"),
    ("score_gap", "自评高出重算", "分", "comparable_projects"),
)
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}

# the views in the order the workbook's sheets and the page's sections show them: (name, section id,
# columns, the data they show, how many leading columns name the row and stay in view)
VIEWS = (
    ("重点提示", "highlights", HIGHLIGHT_HEADERS, "highlights", 1),
    ("地区对比", "regions", REGION_HEADERS, "regions", 3),
    ("同级对比", "peers", PEER_HEADERS, "peers", 3),
    ("项目明细", "projects", PROJECT_HEADERS, "projects", 4),
    ("部门决算", "departments", DEPARTMENT_HEADERS, "departments", 4),
    ("预决算", "execution", EXECUTION_HEADERS, "execution", 4),
    ("预决算分类", "execution_classes", EXECUTION_CLASS_HEADERS, "execution_classes", 5),
    ("公开完整性", "disclosure", DISCLOSURE_HEADERS, "disclosure", 4),
    ("校验问题", "violations", VIOLATION_HEADERS, "violations", 3),
)
UNITS = {"wan": "万元", "pct": "%", "score": "分", "int": "个", "code": "", "text": "", "flag": "", "measure": "见“单位”列"}
# what a column means where its name does not say it all
DEFINITIONS = {
    "行政区划代码": "国家统计局行政区划代码，六位；市、省的汇总行以其代码补足六位（如 140100、140000）",
    "层级": "县级：各县（市、区）本级部门；市本级、省本级：市、省直属部门；市汇总、省汇总：所辖全部已载入部门",
    "校验状态": "通过：无错误级校验问题；未通过：有错误级校验问题，其数字应谨慎使用",
    "地区校验状态": "该行所在地区的校验状态（见“地区对比”）",
    "支出排名": "同一层级内按决算支出合计由高到低的名次；决算数不足同级中位数一半的地区不参与（见“覆盖说明”）",
    "部门数": "该行数字所含的部门个数",
    "决算数": "该行所含部门决算的份数",
    "预算数": "该行所含部门（单位）预算的份数",
    "所含地区数": "该行数字所含的行政区划个数：本级为 1，汇总行为其所辖已载入的地区数",
    "覆盖说明": "覆盖不足同级中位数一半时，哪些数字不参与排名及原因",
    "增长排名": "同一层级内按支出同比增长由高到低的名次；决算数不足同级中位数一半的地区不参与",
    "执行率排名": "同一层级内按执行率由高到低的名次；项目自评数不足同级中位数一半的地区不参与",
    "重算分排名": "同一层级内按重算平均分由高到低的名次；项目自评数不足同级中位数一半的地区不参与",
    "基本支出占比": "基本支出 ÷ 决算支出合计",
    "支出同比增长(同口径)": "只比较两年均已载入决算的部门：本年支出合计 ÷ 上年支出合计 − 1",
    "“三公”决算/预算": "“三公”经费决算数 ÷ 预算数",
    "执行率(按金额加权)": "全年执行数之和 ÷ 全年预算数之和",
    "执行率": "全年执行数 ÷ 全年预算数（调整后）",
    "执行率(对年初预算)": "全年执行数 ÷ 年初预算数",
    "功能分类代码": "政府收支分类科目中支出功能分类的类级代码（三位）",
    "文件": "决算：部门决算；预算：部门（单位）预算",
    "已公开表数": "该文件公开的标准表中有数据的张数",
    "空表数": "公开为空表（注明“本表无数据”等）的标准表张数：按《地方预决算公开操作规程》空表也应公开",
    "缺少表数": "标准表中未见于该文件的张数",
    "各表": "每张标准表的情况：✓ 已公开，空 公开为空表，缺 未见",
    "缺少的表": "未见于该文件的标准表（编号与名称）",
    "公开日期": "文件所载的公开日期",
    "批复日期": "预算或决算的批复日期，由来源登记（approvals）载明；文件本身不载",
    "20日时限": "预决算应在批复后 20 日内公开；未登记批复日期时无法核对",
    "重算平均分": "按评分规则由指标目标值与实际值重新计算的总分的平均",
    "重算总分": "按评分规则由指标目标值与实际值重新计算的总分",
    "自评高出重算": "自评平均分 − 重算平均分；为正表示自评偏高",
    "虚高排名": "同一层级内按自评高出重算由高到低的名次；项目自评数不足同级中位数一半的地区不参与",
    "完成年初预算": "决算数 ÷ 年初预算数",
    "仅一方列示的功能分类数": "只在预算或只在决算中列示的功能分类（类）的个数",
    "校验问题数": "该文件的校验问题条数（各级别合计）",
    "应为": "按校验规则由其他数字算出的应有值",
    "实际": "文件所列的值",
    "差额": "实际 − 应为",
    "单位": "应为、实际、差额的单位：金额为万元，比率为百分比，分值为分；“文中单位”为文件文字所用的单位",
    "规则说明": "该校验规则检查什么（规则目录 expectations/rules.csv）",
    "来源文件": "相对于数据仓库全部文件所在文件夹的路径（见“来源文件夹”）",
    "预算来源文件": "相对于数据仓库全部文件所在文件夹的路径（见“来源文件夹”）",
    "决算来源文件": "相对于数据仓库全部文件所在文件夹的路径（见“来源文件夹”）",
    "页": "PDF 文件中的页码",
    "未通过原因": "该地区错误级校验问题所违反的规则及条数",
    "错误涉及金额(万元)": "该地区错误级校验问题中金额差额的绝对值之和：其数字受影响的资金规模",
    "合成数据": "“是”表示该行来自演示用合成数据，不代表真实财政数据",
    "同级地区数": "同一层级中有该指标、且覆盖可比（参与排名）的地区数",
    "下四分位数": "同级地区该指标的第 25 百分位数（线性插值）",
    "中位数": "同级地区该指标的中位数",
    "上四分位数": "同级地区该指标的第 75 百分位数（线性插值）",
    "高于同级比例": "同级其他地区中该指标低于本地区的比例，如 63% 即“高于 63% 的同级地区”",
    "本地区": "本地区该指标的值（单位见“单位”列）",
}


def peers(regions: list[dict]) -> list[dict]:
    """Each region against the regions of its level (those with the figure and comparable coverage
    of the documents it comes from, as the ranks count them): the level's quartiles and median of
    each compared figure, and the share of the others the region is above."""
    from statistics import quantiles

    out = []
    for level in LEVEL_ORDER:
        members = [r for r in regions if r["level"] == level]
        for column, name, unit, comparable in PEER_FIGURES:
            group = [r for r in members if r.get(column) is not None and r.get(comparable, True)]
            values = sorted(Decimal(r[column]) for r in group)
            if not values:
                continue
            q1, q2, q3 = quantiles(values, n=4, method="inclusive") if len(values) > 1 else values * 3
            scale = Decimal(10000) if unit == "万元" else Decimal(1)
            for r in sorted(group, key=lambda r: -Decimal(r[column])):
                value = Decimal(r[column])
                others = len(values) - 1
                out.append({
                    "level": level, "figure": name, "region": r["region"], "region_code": r["region_code"],
                    "value": value / scale, "peers": len(values), "p25": q1 / scale, "median": q2 / scale,
                    "p75": q3 / scale, "above": Decimal(sum(v < value for v in values)) / others if others else None,
                    "figure_unit": unit, "is_synthetic": r.get("is_synthetic"),
                })
    return out


def display_code(code) -> str | None:
    """A division code as printed: six digits, a city's or a province's padded (1401 -> 140100)."""
    if code is None:
        return None
    code = str(code)
    return code.ljust(6, "0") if code.isdigit() and len(code) < 6 else code


def wan(value) -> Decimal | None:
    return None if value is None else (Decimal(value) / Decimal(10000)).quantize(Decimal("0.01"))


def highlights(data: dict[str, list[dict]]) -> list[dict]:
    """The few things a reader should see first: largest changes, lowest execution, biggest score
    inflation (reported over recomputed), most violations. Regions are compared at the county level
    and with the 市本级/省本级 departments; rollups are not ranked against their own parts."""
    out = []
    own = [r for r in data["regions"] if r["level"] in ("县级", "市本级", "省本级")]
    status = {r["region_code"]: r["validation"] for r in own}

    def marked(text: str, code: str | None) -> str:
        # a region that failed error rules says so wherever it is compared
        return f"{text}（✗未通过校验）" if status.get(code or "") == "未通过" else text

    def name(r):
        return marked(r["region"] if r["level"] == "县级" else f"{r['region']}（{r['level']}）", r["region_code"])

    grown = [r for r in own if r["expenditure_growth"] is not None]
    for r in sorted(grown, key=lambda r: -abs(r["matched_total_yuan"] - r["previous_expenditure_total_yuan"]))[:5]:
        change = r["matched_total_yuan"] - r["previous_expenditure_total_yuan"]
        out.append({"category": "决算支出变化最大", "item": name(r), "region_code": r["region_code"],
                    "value": f"{float(change) / 10000:+,.2f} 万元（{float(r['expenditure_growth']) * 100:+.2f}%）"})
    for c in data["changes"]:
        out.append({"category": "项目执行数变化最大", "item": marked(c["region"], c["adcode"]), "region_code": c["adcode"],
                    "value": f"{float(c['change_yuan']) / 10000:+,.2f} 万元"
                    + (f"（{float(c['growth']) * 100:+.2f}%）" if c["growth"] is not None else "")})
    rated = [r for r in own if r["execution_rate"] is not None]
    for r in sorted(rated, key=lambda r: r["execution_rate"])[:5]:
        out.append({"category": "执行率最低", "item": name(r), "region_code": r["region_code"],
                    "value": f"{float(r['execution_rate']) * 100:.2f}%（第 {r['rank_execution']} 名）"})
    scored = [p for p in data["projects"] if p["total_score_reported"] is not None and p["total_score_recomputed"] is not None]
    for p in sorted(scored, key=lambda p: p["total_score_recomputed"] - p["total_score_reported"])[:5]:
        gap = p["total_score_reported"] - p["total_score_recomputed"]
        if gap > 0:
            out.append({"category": "自评分虚高最多", "item": marked(f"{p['region']} {p['project_name']}", p["adcode"]),
                        "region_code": p["adcode"],
                        "document_id": p["document_id"],
                        "value": f"自评 {float(p['total_score_reported']):.2f}，重算 {float(p['total_score_recomputed']):.2f}"})
    flagged = [r for r in own if r["errors"] or r["warnings"]]
    for r in sorted(flagged, key=lambda r: (-r["errors"], -r["warnings"]))[:5]:
        out.append({"category": "校验问题最多", "item": name(r), "region_code": r["region_code"],
                    "value": f"错误 {r['errors']}，警告 {r['warnings']}"})
    return out


def anchors(violations: list[dict]) -> dict[str, int]:
    """The first row of the violation list for each document and each region prefix (county, city,
    province), of any severity and of each (`key|error`), so that a flagged figure can link to its
    own violations of the severity it counts. Rows are ordered by region code, then file, so every
    region's and every document's violations are contiguous."""
    first: dict[str, int] = {}
    for n, v in enumerate(violations):
        code = v["adcode"] or ""
        keys = [f"d-{v['document_id']}", f"r-{code}-own"] + [f"r-{code[:length]}" for length in (2, 4, 6) if len(code) >= length]
        for key in keys:
            first.setdefault(key, n)
            first.setdefault(f"{key}|{v['severity']}", n)
    return first


def first_of(first: dict[str, int], key: str | None, severities=("error", "warning")) -> int | None:
    """The first violation under `key` of the first of `severities` it has (an error before a warning)."""
    for severity in severities if key else ():
        if f"{key}|{severity}" in first:
            return first[f"{key}|{severity}"]
    return None


def region_key(row: dict) -> str:
    """The anchor of a region row's violations: a rollup links to the first violation of any of its
    parts, an own row (county, 市本级, 省本级) to its own."""
    code = row["region_code"]
    return f"r-{code}" if row["level"] in ("市汇总", "省汇总", "县级") else f"r-{code}-own"
