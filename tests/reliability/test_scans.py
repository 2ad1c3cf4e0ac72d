"""A scanned final accounts through the warehouse: loaded, its figures with OCR's confidence in
them, and its inconsistencies warnings to check against the original, never errors, where OCR was
unsure of some of its digits; the same inconsistency printed with a text layer is an error."""
import re
from pathlib import Path

import duckdb

from demo.formats import as_scanned


def test_findings_on_a_scan_with_unsure_digits_are_warnings_and_say_so(tmp_path):
    import dagster as dg

    from demo.formats import to_pdf
    from demo.generator import generate
    from expectations.catalogue import UNSURE_NOTE
    from orchestration.build import build_definitions
    from orchestration.settings import Settings

    corpus = generate(tmp_path / "generated", 1, (2024, 2024), seed=7, departments=2, error_rate=0.0, formats=("txt",))
    printed, scanned = (tmp_path / "generated" / a.file for a in corpus.accounts[:2])
    inbox = tmp_path / "corpus"
    inbox.mkdir()
    for source, scan in ((printed, False), (scanned, True)):
        lines = source.read_text(encoding="utf-8").splitlines()
        # 收入总计 printed 10 万元 above 本年收入合计 + 年初结转和结余: F1 finds it
        first = next(i for i, line in enumerate(lines) if line.startswith("总计\t"))
        total = lines[first].split("\t")
        total[2] = f"{float(total[2]) + 10:.2f}"
        lines[first] = "\t".join(total)
        pdf = to_pdf(lines)
        (inbox / f"{source.stem}.pdf").write_bytes(as_scanned(pdf, 200) if scan else pdf)
    settings = Settings(db_path=tmp_path / "w.duckdb", out_dir=tmp_path / "reports", inputs=(inbox,), inbox=tmp_path / "inbox")
    with dg.DagsterInstance.ephemeral() as instance:
        build_definitions(settings).resolve_job_def("build_warehouse").execute_in_process(instance=instance, raise_on_error=False)
    with duckdb.connect(str(settings.db_path), read_only=True) as con:
        documents = {Path(f).stem: (status, pages, ocr, unsure) for f, status, pages, ocr, unsure in con.execute(
            "select source_file, status, pages, ocr_pages, ocr_unsure_figures from marts.dim_document").fetchall()}
        confidences = dict(con.execute(
            "select d.source_file like '%' || $scanned || '%', count(l.ocr_confidence) || '/' || count(*) "
            "from marts.fct_final_account_line l join marts.dim_document d using (document_id) group by 1",
            {"scanned": scanned.stem}).fetchall())
        unsure_lines = con.execute("select count(*) from marts.fct_final_account_line where ocr_unsure").fetchone()[0]
        findings = {Path(f).stem: found for f, found in con.execute(
            "select source_file, list((rule_id, severity, message)) from audit.integrity_violation "
            "where severity <> 'info' group by 1").fetchall()}
    status, pages, ocr_pages, unsure = documents[scanned.stem]
    assert status == "loaded" and ocr_pages == pages > 0 and unsure > 0
    assert documents[printed.stem][2:] == (0, 0)
    assert unsure_lines == unsure
    counted, total = map(int, confidences[True].split("/"))
    assert counted == total > 0 and confidences[False].startswith("0/")
    # the text layer's inconsistency is an error; the scan's, the same one, a warning that says why
    assert ("F1", "error") in {(rule, severity) for rule, severity, _ in findings[printed.stem]}
    on_scan = findings[scanned.stem]
    assert "error" not in {severity for _, severity, _ in on_scan}
    [f1] = [message for rule, _, message in on_scan if rule == "F1"]
    assert f1.endswith(UNSURE_NOTE)
    assert not [m for _, _, m in findings[printed.stem] if re.search("OCR", m)]
