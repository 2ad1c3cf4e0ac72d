"""What `fiscal extract` shows of one file: each document the parsers read from it, with its tables,
amounts and stated figures, as text or as JSON."""
from __future__ import annotations

import json
from dataclasses import asdict


def describe(parsed, as_json: bool = False) -> str:
    """The parsed documents of one file (`ingest.reading.ingest_file`), as a person reads them or as JSON."""
    if as_json:
        payload = [
            {
                "document": asdict(p.document),
                "report": asdict(p.report) if p.report else None,
                # a final accounts' or a budget's tables and stated figures (the document's doc_type says which)
                "statements": asdict(p.statements) if p.statements else None,
            }
            for p in parsed
        ]
        return json.dumps(payload, ensure_ascii=False, indent=2, default=str)
    out: list[str] = []
    for p in parsed:
        d = p.document
        region = " ".join(filter(None, [d.region.province, d.region.city, d.region.county])) or "region unknown"
        source = f" [source: {d.source_name}]" if d.source_name else ""
        out.append(f"[{d.section}] lines {d.line_start}-{d.line_end} {d.doc_type} {d.fiscal_year or '?'} {region} "
                   f"{d.department or ''} {d.project_name or ''} -> {d.status}{': ' + d.reason if d.reason else ''}{source}")
        if p.report:
            for b in p.report.budget_lines:
                out.append(f"    funds  line {b.line_no}: {b.fund_source:10} adjusted {b.budget_adjusted_yuan} executed "
                           f"{b.executed_yuan} rate {b.execution_rate} score {b.score_reported}")
            for i in p.report.indicators:
                out.append(f"    indic. line {i.line_no}: {i.level1}/{i.level2}/{i.indicator_name} target {i.target_text!r} "
                           f"actual {i.actual_text!r} weight {i.weight} score {i.score_reported}")
            if p.report.evaluation:
                e = p.report.evaluation
                out.append(f"    result line {e.line_no}: total {e.total_score_reported} grade {e.grade_reported}")
        facts = (p.report.facts if p.report else ()) + (p.statements.facts if p.statements else ())
        if p.statements:
            for t in p.statements.tables:
                amounts = sum(1 for line in p.statements.lines if line.table_code == t.table_code)
                state = "empty (本表无数据)" if t.is_empty else f"{amounts} amounts"
                where = f"p.{t.page}" if t.page else f"line {t.line_no}"
                out.append(f"    table  {where}: {t.table_code} {t.title} ({t.unit}): {state}")
        for f in facts:
            label = f" {f.label}" if f.label else ""
            out.append(f"    stated line {f.line_no}: {f.kind}{label} {f.value} {f.unit or ''}")
    return "\n".join(out)
