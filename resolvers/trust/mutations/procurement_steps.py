"""The city's procurement steps (operator tier): create, publish, evaluate, award, deliver, pay.

Grouped in one module because each is the same three lines around one `ledger.procurement`
call: check the tier, run the step, turn a refusal into `ProcurementError`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

import strawberry

from graph.records.api_keys import Tier
from graph.records.procurement import ContractRow
from ledger.log import Log
from ledger.procurement import contracts
from ledger.procurement.rules import ProcurementErrorCode
from ledger.procurement.rules import ProcurementRefusal as Refusal
from ledger.procurement.sealing import Weights
from resolvers.core.info import Info
from resolvers.trust.procurement_types import (
    Contract,
    ContractStepResult,
    ContractStepSuccess,
    ProcurementError,
)


def refused(error: Refusal) -> ProcurementError:
    return ProcurementError(code=error.code, field=error.field, message=str(error))


async def step(
    info: Info,
    action: str,
    work: Callable[[Log], Awaitable[ContractRow]],
    operator: bool = True,
) -> ContractStepResult:
    if operator and not info.context.tier.at_least(Tier.OPERATOR):
        return ProcurementError(
            code=ProcurementErrorCode.UNAUTHENTICATED,
            field=None,
            message=f"{action} needs the operator tier",
        )
    try:
        return ContractStepSuccess(contract=Contract.of(await work(info.context.the_log())))
    except Refusal as error:
        return refused(error)


@strawberry.input
class CreateContractInput:
    title: str
    department: str
    receiving_department: str
    ceiling_krw: int = strawberry.field(description="Under 100,000,000 KRW.")


async def create_contract(info: Info, input: CreateContractInput) -> ContractStepResult:
    return await step(
        info,
        "creating a contract",
        lambda log: contracts.create(
            log, input.title, input.department, input.receiving_department, input.ceiling_krw
        ),
    )


@strawberry.input
class PublishContractInput:
    id: strawberry.ID
    weight_price: int
    weight_delivery: int
    weight_rating: int
    bid_deadline: datetime
    reveal_deadline: datetime


async def publish_contract(info: Info, input: PublishContractInput) -> ContractStepResult:
    weights = Weights(input.weight_price, input.weight_delivery, input.weight_rating)
    return await step(
        info,
        "publishing a contract",
        lambda log: contracts.publish(
            log, str(input.id), weights, input.bid_deadline, input.reveal_deadline
        ),
    )


async def evaluate_contract(info: Info, id: strawberry.ID) -> ContractStepResult:
    return await step(info, "evaluating", lambda log: contracts.evaluate(log, str(id)))


async def award_contract(info: Info, id: strawberry.ID) -> ContractStepResult:
    return await step(info, "awarding", lambda log: contracts.award(log, str(id)))


async def confirm_delivery(info: Info, id: strawberry.ID, department: str) -> ContractStepResult:
    return await step(
        info,
        "confirming delivery",
        lambda log: contracts.confirm_delivery(log, str(id), department),
    )


async def pay_contract(info: Info, id: strawberry.ID) -> ContractStepResult:
    return await step(info, "paying", lambda log: contracts.pay(log, str(id)))
