"""What the yearly report shows, read from the marts and the audit schema for one fiscal year."""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal, InvalidOperation

import duckdb

# The regions' figures come from the dbt mart `marts.region_comparison` (one row per year and
# region, rollups included, with their ranks); the findings of the integrity rules, which run after
# the build, are counted here over the documents `marts.region_document` lists for each region.
REGION_SQL = """
with findings as (
    select members.region_code, members.level, v.rule_id, v.severity, {unit} as unit, v.difference, v.description_zh
    from marts.region_document members
    join audit.integrity_violation v on v.document_id = members.document_id
    where members.fiscal_year = $year
),
flags as (
    select region_code, level,
        count(*) filter (where severity = 'error') as errors,
        count(*) filter (where severity = 'warning') as warnings,
        count(*) filter (where severity = 'info') as infos,
        -- the money the error findings put in doubt: their differences in yuan
        sum(abs(try_cast(difference as decimal(38, 2)))) filter (where severity = 'error' and unit = '元') as error_yuan
    from findings
    group by region_code, level
),
failed as (
    select region_code, level, string_agg(description_zh || '（' || rule_id || '）×' || n, '；' order by n desc, rule_id)
        as failed_rules
    from (select region_code, level, rule_id, any_value(description_zh) as description_zh, count(*) as n
          from findings where severity = 'error' group by all)
    group by region_code, level
)
select regions.* exclude (region_comparison_id, fiscal_year),
    coalesce(flags.errors, 0) as errors, coalesce(flags.warnings, 0) as warnings, coalesce(flags.infos, 0) as infos,
    case when flags.errors > 0 then '未通过' when flags.warnings > 0 then '有警告' else '通过' end as validation,
    failed.failed_rules, flags.error_yuan
from marts.region_comparison regions
left join flags on flags.region_code = regions.region_code and flags.level = regions.level
left join failed on failed.region_code = regions.region_code and failed.level = regions.level
where regions.fiscal_year = $year
order by case regions.level when '省汇总' then 0 when '省本级' then 1 when '市汇总' then 2 when '市本级' then 3 else 4 end,
    regions.region_code
"""

PROJECT_SQL = """
select
    coalesce(d.county, d.city, d.province) as region, e.department, e.project_name,
    b.budget_initial_yuan, b.budget_adjusted_yuan, b.executed_yuan, b.execution_rate,
    b.executed_yuan / nullif(b.budget_initial_yuan, 0) as initial_execution_rate,
    e.total_score_reported, e.total_score_recomputed, e.grade_reported, e.grade_recomputed,
    (select count(*) from audit.integrity_violation v where v.document_id = e.document_id and v.severity <> 'info') as flagged,
    e.source_file, e.location, d.is_synthetic, e.document_id, d.adcode
from marts.fct_project_evaluation e
join marts.dim_document d on d.document_id = e.document_id
left join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total'
where e.fiscal_year = $year
order by region, e.department, e.project_name
"""

DEPARTMENT_SQL = """
select
    s.adcode, coalesce(d.county, d.city, d.province) as region, s.department,
    s.income_total_yuan, s.expenditure_total_yuan, s.basic_yuan, s.project_yuan,
    s.basic_yuan / nullif(s.expenditure_total_yuan, 0) as basic_share,
    s.personnel_yuan, s.public_expenses_yuan,
    s.three_public_budget_yuan, s.three_public_actual_yuan,
    s.previous_expenditure_total_yuan, s.expenditure_growth,
    (select count(*) from audit.integrity_violation v where v.document_id = s.document_id and v.severity = 'error') as errors,
    (select count(*) from audit.integrity_violation v where v.document_id = s.document_id and v.severity <> 'info') as flagged,
    s.source_file, s.document_id, d.is_synthetic
from marts.fct_department_summary s
join marts.dim_document d on d.document_id = s.document_id
where s.fiscal_year = $year
order by s.adcode, s.department
"""

# 预决算: each department's budget (年初预算) beside its final accounts of the same year, class by
# class summed to the department (fct_budget_execution holds every subject)
EXECUTION_SQL = """
select
    e.adcode, coalesce(d.county, d.city, d.province) as region, e.department,
    sum(e.budget_yuan) as budget_yuan, sum(e.final_yuan) as final_yuan,
    sum(e.final_yuan) - sum(e.budget_yuan) as difference_yuan,
    sum(e.final_yuan) / nullif(sum(e.budget_yuan), 0) as completion_rate,
    count(*) filter (where e.budget_yuan is null or e.final_yuan is null) as unmatched_classes,
    e.budget_document_id, e.final_document_id, bd.source_file as budget_file, d.source_file as final_file, d.is_synthetic
from marts.fct_budget_execution e
join marts.dim_document d on d.document_id = e.final_document_id
join marts.dim_document bd on bd.document_id = e.budget_document_id
where e.fiscal_year = $year and e.subject_level = '类'
group by all
order by e.adcode, e.department
"""

# 预决算 by functional class (类): each class of each department's budget beside its final accounts
EXECUTION_CLASS_SQL = """
select
    e.adcode, coalesce(d.county, d.city, d.province) as region, e.department, e.subject_code, e.subject_name,
    e.budget_yuan, e.final_yuan, e.final_yuan - e.budget_yuan as difference_yuan,
    e.final_yuan / nullif(e.budget_yuan, 0) as completion_rate, d.is_synthetic
from marts.fct_budget_execution e
join marts.dim_document d on d.document_id = e.final_document_id
where e.fiscal_year = $year and e.subject_level = '类'
order by e.adcode, e.department, e.subject_code
"""

# the standard tables each final accounts and budget of the year printed (a budget printed as two
# files is judged by its tables' half)
DISCLOSURE_SQL = """
select
    d.document_id, d.adcode, coalesce(d.county, d.city, d.province) as region, d.department, d.doc_type,
    d.published_on, d.approved_on, d.source_file, d.is_synthetic,
    coalesce(list(t.table_code order by t.table_code) filter (where t.table_code is not null), []) as published_codes,
    coalesce(list(t.table_code order by t.table_code) filter (where t.is_empty), []) as empty_codes
from marts.dim_document d
left join marts.fct_published_table t on t.document_id = d.document_id
where d.fiscal_year = $year and d.doc_type in ('final_accounts', 'department_budget')
    and d.status in ('loaded', 'partial') and coalesce(d.publication_part, '') <> 'narrative'
group by all
order by d.adcode, d.department, d.doc_type desc
"""

CHANGE_SQL = """
with yearly as (
    select e.fiscal_year, coalesce(d.county, d.city, d.province) as region, e.adcode, sum(b.executed_yuan) as executed
    from marts.fct_project_evaluation e
    join marts.dim_document d on d.document_id = e.document_id
    join marts.fct_project_budget b on b.document_id = e.document_id and b.fund_source = 'total'
    where e.fiscal_year in ($year, $year - 1)
    group by all
)
select this.region, this.adcode, prev.executed as previous_yuan, this.executed as executed_yuan,
       this.executed - prev.executed as change_yuan,
       (this.executed - prev.executed) / nullif(prev.executed, 0) as growth
from yearly this join yearly prev on prev.adcode = this.adcode and prev.fiscal_year = this.fiscal_year - 1
where this.fiscal_year = $year
order by abs(this.executed - prev.executed) desc
limit 5
"""

VIOLATION_SQL = """
select v.rule_id, v.severity, coalesce(d.county, d.city, d.province) as region, v.entity,
       v.expected, v.actual, v.difference, {unit} as unit, v.description_zh, v.message, v.source_file, v.location,
       try_cast(regexp_extract(v.location, '^p\\.(\\d+)', 1) as integer) as page, v.document_id, d.adcode
from audit.integrity_violation v
join marts.dim_document d on d.document_id = v.document_id
where d.fiscal_year = $year
order by d.adcode, v.source_file, case v.severity when 'error' then 0 when 'warning' then 1 else 2 end, v.rule_id, v.location,
         v.entity, v.message
"""

def _fetch(con: duckdb.DuckDBPyConnection, sql: str, year: int, unit: str = "v.unit") -> list[dict]:
    cursor = con.execute(sql.replace("{unit}", unit), {"year": year})
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def collect(con: duckdb.DuckDBPyConnection, year: int) -> dict[str, list[dict]]:
    # a warehouse last checked before findings had a unit reads as one whose units are unknown
    # (its next check records them)
    unit = "v.unit" if con.execute(
        "select count(*) from information_schema.columns where table_schema = 'audit' "
        "and table_name = 'integrity_violation' and column_name = 'unit'").fetchone()[0] else "cast(null as varchar)"
    data = {
        "regions": _fetch(con, REGION_SQL, year, unit),
        "projects": _fetch(con, PROJECT_SQL, year),
        "departments": _fetch(con, DEPARTMENT_SQL, year),
        "changes": _fetch(con, CHANGE_SQL, year),
        "execution": _fetch(con, EXECUTION_SQL, year),
        "execution_classes": _fetch(con, EXECUTION_CLASS_SQL, year),
        "disclosure": [disclosed(r) for r in _fetch(con, DISCLOSURE_SQL, year)],
        "violations": _fetch(con, VIOLATION_SQL, year, unit),
    }
    # validation status travels with the figures: every row of a region that failed error rules says so
    status = {r["region_code"]: r["validation"] for r in data["regions"] if r["level"] in ("县级", "市本级", "省本级")}
    for row in data["projects"] + data["departments"] + data["execution"]:
        row["region_validation"] = status.get(row["adcode"], "通过")
    for finding in data["violations"]:
        finding.update(measured(finding))
    _relative_sources(con, data)
    return data


KIND_ZH = {"final_accounts": "决算", "department_budget": "预算"}


# budgets and final accounts are published within this many days of their approval (批复)
DISCLOSURE_DAYS = 20


def deadline(published_on: str | None, approved_on: date | None) -> str:
    """The 20-day rule for a publication: its date (YYYY-MM-DD, or YYYY-MM when the document
    states only the month) against the day it was approved (the source registry's approvals; no
    document prints it)."""
    if not published_on:
        return "公开日期未载明"
    if approved_on is None:
        return f"批复日期未登记，{DISCLOSURE_DAYS} 日时限无法核对"
    parts = [int(p) for p in published_on.split("-")]
    first = date(parts[0], parts[1], parts[2] if len(parts) > 2 else 1)
    last = first if len(parts) > 2 else date(parts[0], parts[1], calendar.monthrange(parts[0], parts[1])[1])
    early, late = (first - approved_on).days, (last - approved_on).days
    if late < 0:
        return f"公开日期早于批复日期（{approved_on.isoformat()}），请核对"
    if late <= DISCLOSURE_DAYS:
        return f"按时：批复后第 {late} 日公开" if early == late else f"按时：批复后 {late} 日内公开"
    if early > DISCLOSURE_DAYS:
        return f"逾期：批复后第 {early} 日公开" if early == late else f"逾期：批复后第 {early}–{late} 日公开"
    return f"无法判定：公开日期只载明月份（批复后第 {max(early, 0)}–{late} 日）"


def disclosed(row: dict) -> dict:
    """A publication against its kind's standard tables (the ingest's vocabulary): each published,
    printed empty, or missing; and its publication date against the day it was approved."""
    from ingest import vocabulary

    words = vocabulary.final_accounts() if row["doc_type"] == "final_accounts" else vocabulary.budget()
    kinds = vocabulary.table_kinds(words)
    published, empty = set(row["published_codes"]), set(row["empty_codes"])
    state = {code: "空" if code in empty else "✓" if code in published else "缺" for code in words["required"]}
    missing = [code for code, mark in state.items() if mark == "缺"]
    return {
        **row,
        "kind": KIND_ZH[row["doc_type"]],
        "tables": " ".join(f"{code}{mark}" for code, mark in state.items()),
        "published": sum(mark == "✓" for mark in state.values()),
        "empty": sum(mark == "空" for mark in state.values()),
        "missing": len(missing),
        "missing_tables": "；".join(f"{code} {vocabulary.table_name(kinds, code)}" for code in missing) or None,
        "approved_on": row["approved_on"].isoformat() if row.get("approved_on") else None,
        "deadline": deadline(row["published_on"], row.get("approved_on")),
    }


# a finding's figures in the report's units: yuan as 万元, a ratio as a percentage, points, a count
FINDING_UNITS = {"元": "万元", "比率": "%", "分": "分", "个": "个", "文字": "", "文中单位": "文中单位"}


def measured(finding: dict) -> dict:
    """A finding's expected, actual and difference as numbers in the unit the report shows them in
    (`figure_unit`), or as the text they are where they are words."""
    unit = finding.get("unit")
    out = {"figure_unit": FINDING_UNITS.get(unit, "")}
    for key in ("expected", "actual", "difference"):
        value = _number(finding.get(key))
        if unit == "文字" or value is None:
            out[f"{key}_value"] = None if unit != "文字" else finding.get(key)
        else:
            out[f"{key}_value"] = value / 10000 if unit == "元" else value
    return out


def _number(text):
    try:
        return Decimal(str(text)) if text not in (None, "") else None
    except InvalidOperation:
        return None


SOURCES = ("source_file", "budget_file", "final_file")


def _relative_sources(con: duckdb.DuckDBPyConnection, data: dict) -> None:
    """Every file the report names, relative to the folder that holds every document of the
    warehouse (`data["source_root"]`): the place a reader finds it in the published corpus, not
    the machine it was built on."""
    import os

    files = [r[0] for r in con.execute("select distinct source_file from marts.dim_document").fetchall() if r[0]]
    if not files:
        return
    root = os.path.commonpath(files)
    if root in files:  # a warehouse of one file
        root = os.path.dirname(root)
    data["source_root"] = root
    for rows in data.values():
        if isinstance(rows, list):
            for row in rows:
                for key in SOURCES:
                    if row.get(key):
                        row[key] = os.path.relpath(row[key], root)
