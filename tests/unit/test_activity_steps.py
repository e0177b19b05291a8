"""Workflows call activities by the declarations in models.activity_steps; the worker runs the
implementations. mypy checks that they agree on types; this checks that they agree on names,
which is how Temporal matches a scheduled activity to the code that runs it."""

import inspect

import pytest
from temporalio.activity import _Definition

from activities.accounts import AccountActivities
from activities.assignment import AssignmentActivities
from activities.notifications.sending import NotificationActivities
from activities.shipments import ShipmentActivities
from activities.webhooks import WebhookActivities
from models.activity_steps import (
    AccountSteps,
    AssignmentSteps,
    NotificationSteps,
    ShipmentSteps,
    WebhookSteps,
)
from models.workflow_io import ActivityName

IMPLEMENTATIONS: list[tuple[type, type]] = [
    (ShipmentSteps, ShipmentActivities),
    (AssignmentSteps, AssignmentActivities),
    (NotificationSteps, NotificationActivities),
    (WebhookSteps, WebhookActivities),
    (AccountSteps, AccountActivities),
]


def _activity_names(cls: type) -> dict[str, str]:
    """Method name -> activity name, for the methods of `cls` itself that are activities."""
    return {
        name: definition.name
        for name, member in vars(cls).items()
        if inspect.iscoroutinefunction(member)
        and (definition := _Definition.from_callable(member)) is not None
        and definition.name is not None
    }


@pytest.mark.parametrize(("steps", "implementation"), IMPLEMENTATIONS)
def test_each_implementation_runs_its_declared_steps_under_their_names(
    steps: type, implementation: type
) -> None:
    assert steps in implementation.__mro__
    assert _activity_names(implementation) == _activity_names(steps)


def test_every_activity_name_is_declared_once() -> None:
    declared = [name for steps, _ in IMPLEMENTATIONS for name in _activity_names(steps).values()]
    assert sorted(declared) == sorted(ActivityName)
