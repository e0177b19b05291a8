"""The reference rate: a trivial one-activity workflow on the same Temporal server.

Import-pure, so the workflow sandbox can load this module.
"""

from datetime import timedelta

from temporalio import activity, workflow

TASK_QUEUE = "bench-baseline"


@activity.defn
async def ping() -> None:
    pass


@workflow.defn
class PingWorkflow:
    @workflow.run
    async def run(self) -> None:
        await workflow.execute_activity(ping, start_to_close_timeout=timedelta(seconds=30))
