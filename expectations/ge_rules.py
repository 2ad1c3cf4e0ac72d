"""The Great Expectations expectation an integrity rule is: the rule's query, run by GE against its
mart, finds nothing.

GE's own `UnexpectedRowsExpectation` keeps the first 200 rows a query returns; a rule's findings
are recorded whole, so this expectation reads them through a metric that fetches every row (GE's
`QueryTable` with `fetch_all`), and counts them itself rather than running the query a second
time for the count. Imported only by `expectations.suite.validate`: GE takes seconds to import.
"""
from __future__ import annotations

from typing import ClassVar

from great_expectations.expectations import UnexpectedRowsExpectation
from great_expectations.expectations.metrics.query_metrics import QueryTable


class RuleFindingsTable(QueryTable):
    """Every row of a rule's query, not a sample of them."""

    metric_name = "integrity_rule.findings"
    value_keys = ("unexpected_rows_query", "fetch_all")
    default_kwarg_values = {"fetch_all": True}
    query_param_name: ClassVar[str] = "unexpected_rows_query"


class ExpectRuleToFindNothing(UnexpectedRowsExpectation):
    """An integrity rule holds when its query returns no row; the rows it returns are the findings."""

    metric_dependencies: ClassVar[tuple[str, ...]] = ("integrity_rule.findings",)

    def _validate(self, metrics: dict, runtime_configuration: dict | None = None, execution_engine=None):
        rows = metrics["integrity_rule.findings"]
        return {"success": not rows, "result": {"observed_value": len(rows), "details": {"unexpected_rows": rows}}}
