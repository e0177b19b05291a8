from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.testing import WorkflowEnvironment

from fastship.search_attributes import register_search_attributes
from launcher.embedded import dynamic_config_flags, temporal_cli_path
from models.domain import SearchAttributes


async def test_registers_the_missing_search_attributes_once() -> None:
    async with await WorkflowEnvironment.start_local(
        dev_server_existing_path=temporal_cli_path(),
        dev_server_extra_args=dynamic_config_flags(),
        dev_server_log_level="error",
    ) as env:
        wanted = sorted(key.name for key in SearchAttributes.ALL)

        assert await register_search_attributes(env.client) == wanted
        assert await register_search_attributes(env.client) == []

        listed = await env.client.operator_service.list_search_attributes(
            ListSearchAttributesRequest(namespace="default")
        )
        assert set(wanted) <= set(listed.custom_attributes)
