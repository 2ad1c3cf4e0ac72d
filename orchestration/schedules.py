"""The annual rollup: after the final-accounts publication season, report the year before."""

import dagster as dg

from orchestration.jobs import annual_rollup_job


def annual_rollup_schedule(cron: str) -> dg.ScheduleDefinition:
    @dg.schedule(
        name="annual_rollup_schedule",
        cron_schedule=cron,
        job=annual_rollup_job,
        execution_timezone="Asia/Shanghai",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Once a year, the comparison report of the fiscal year just closed.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        year = context.scheduled_execution_time.year - 1
        return dg.RunRequest(run_key=f"rollup-{year}", partition_key=str(year))

    return _schedule
