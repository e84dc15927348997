"""The conversion queue: fair turns between users, a page budget, and where a waiting file stands."""

from __future__ import annotations

import asyncio

import pytest

from service.api.conversions import ConversionQueue, estimate_pages
from service.errors import MinutesError
from service.settings import DocumentSettings


def _queue(**kw: object) -> ConversionQueue:
    return ConversionQueue(DocumentSettings(**kw))  # type: ignore[arg-type]


async def _convert(queue: ConversionQueue, owner: str, name: str, seconds: float, log: list[tuple[str, str]],
                   pages: int = 40) -> None:
    async with queue.turn(owner, pages, name):
        log.append(("start", name))
        await asyncio.sleep(seconds)
        log.append(("end", name))


def test_one_users_long_scans_leave_a_slot_to_everyone_else() -> None:
    async def run() -> list[tuple[str, str]]:
        queue, log = _queue(workers=2, share=0.5), []
        heavy = [asyncio.create_task(_convert(queue, "reviewer", f"pdf{i}", 0.3, log)) for i in range(3)]
        await asyncio.sleep(0.05)
        assert [e.state for e in queue.entries("reviewer")] == ["converting", "waiting", "waiting"]
        clerk = asyncio.create_task(_convert(queue, "clerk", "scan", 0.05, log, pages=2))
        await asyncio.sleep(0.01)
        assert log[-1] == ("start", "scan")  # started at once, beside the reviewer's first PDF
        await asyncio.gather(*heavy, clerk)
        return log

    log = asyncio.run(run())
    assert log.index(("end", "scan")) < log.index(("end", "pdf0"))
    assert max(sum(1 for e in log[: i + 1] if e[0] == "start" and e[1].startswith("pdf"))
               - sum(1 for e in log[: i + 1] if e[0] == "end" and e[1].startswith("pdf")) for i in range(len(log))) == 1


def test_the_next_slot_goes_to_the_user_holding_fewest() -> None:
    async def run() -> list[tuple[str, str]]:
        queue, log = _queue(workers=1, share=1.0), []
        tasks = [asyncio.create_task(_convert(queue, "a", f"a{i}", 0.05, log)) for i in range(3)]
        await asyncio.sleep(0.01)
        tasks.append(asyncio.create_task(_convert(queue, "b", "b0", 0.05, log)))
        await asyncio.sleep(0.01)
        entries = queue.entries("b")
        assert entries[0].state == "waiting" and entries[0].position == 1  # ahead of a's second and third
        await asyncio.gather(*tasks)
        return log

    starts = [n for kind, n in asyncio.run(run()) if kind == "start"]
    assert starts == ["a0", "b0", "a1", "a2"]


def test_a_user_past_the_page_budget_is_refused_and_others_are_not() -> None:
    async def run() -> None:
        queue, log = _queue(workers=1, pages_per_user=100), []
        first = [asyncio.create_task(_convert(queue, "r", f"p{i}", 0.1, log)) for i in range(2)]  # 80 pages
        await asyncio.sleep(0.01)
        with pytest.raises(MinutesError) as e:
            async with queue.turn("r", 40, "p2"):
                pass
        assert e.value.code.value == "QUEUE_FULL" and e.value.status == 429 and "Retry-After" in e.value.headers
        await asyncio.gather(*first, _convert(queue, "c", "c0", 0.01, log))

    asyncio.run(run())


def test_a_caller_who_goes_away_gives_the_slot_back() -> None:
    async def run() -> None:
        queue, log = _queue(workers=1), []
        running = asyncio.create_task(_convert(queue, "a", "a0", 5, log))
        waiting = asyncio.create_task(_convert(queue, "b", "b0", 0.01, log))
        await asyncio.sleep(0.02)
        running.cancel()
        await asyncio.wait_for(waiting, 2)
        assert queue.load() == (0, 0)

    asyncio.run(run())


def test_pages_are_estimated_without_parsing() -> None:
    pdf = b"%PDF-1.4\n" + b"".join(b"%d 0 obj << /Type /Page /Parent 1 0 R >>\n" % i for i in range(7)) \
        + b"1 0 obj << /Type /Pages /Count 7 >>\n"
    assert estimate_pages(pdf, "pdf", 40) == 7
    assert estimate_pages(pdf * 10, "pdf", 40) == 40
    assert estimate_pages(b"\x89PNG....", "png", 40) == 1


def test_a_converting_file_shows_the_pages_read_so_far() -> None:
    async def run() -> list[tuple[int, int | None]]:
        queue, seen = _queue(workers=1), []
        async with queue.turn("clerk", 5, "scan.pdf") as ticket:
            seen.append((queue.entries("clerk")[0].done, queue.entries("clerk")[0].total))
            ticket.advance(2, 4)  # the converter found 4 pages to read, 2 read
            entry = queue.entries("clerk")[0]
            seen.append((entry.done, entry.total))
        return seen

    assert asyncio.run(run()) == [(0, None), (2, 4)]
