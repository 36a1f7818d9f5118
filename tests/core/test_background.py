"""Background loops stop when told, also when the cancellation is swallowed (as redis-py
does with one that lands mid-command: it becomes an error the loop carries on from)."""

from __future__ import annotations

import asyncio

from moderation.core import background


async def test_a_loop_that_swallows_its_cancellation_still_stops() -> None:
    rounds = 0

    async def loop(stop: asyncio.Event) -> None:
        nonlocal rounds
        while not stop.is_set():
            rounds += 1
            try:
                await asyncio.sleep(10)  # stands for a Redis call
            except asyncio.CancelledError:
                pass  # what a client library turning it into its own error amounts to
            await background.pause(stop, 10)

    async with asyncio.timeout(5):  # without the stop event this would never end
        async with background.running(loop):
            await asyncio.sleep(0.05)
    assert rounds == 1


async def test_pause_ends_early_when_stopped() -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    started = loop.time()
    loop.call_later(0.05, stop.set)
    await background.pause(stop, 30)
    assert loop.time() - started < 5


async def test_first_of_returns_when_any_event_is_set_and_leaves_no_waiter() -> None:
    loaded, stop = asyncio.Event(), asyncio.Event()
    asyncio.get_running_loop().call_later(0.05, loaded.set)
    async with asyncio.timeout(5):
        await background.first_of(loaded, stop)
    assert loaded.is_set() and not stop.is_set()
    await asyncio.sleep(0)  # the cancelled waiter of stop is gone, not pending for ever
    assert not [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
