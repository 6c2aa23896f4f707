"""Credit quotes: the engine's price table locally, a server's /v1/quote through a client."""
from __future__ import annotations

import asyncio

import pytest

from dxgl_engine.errors import InvalidSettings
from dxgl_engine.settings import credits_for
from dxgl_gui.notebook import quote
from dxgl_gui.notebook.quote import REMOTE_DEBOUNCE_S

pytestmark = pytest.mark.gl


class FakeClient:
    """Stands for dxgl_api.client.Client: records what it was asked, answers like /v1/quote."""

    base_url = "http://api.test/v1"

    def __init__(self, balance: int = 10, fail: Exception | None = None):
        self.balance, self.fail, self.asked = balance, fail, []

    def quote(self, items: list[dict]) -> dict:
        self.asked.append(items)
        if self.fail is not None:
            raise self.fail
        total, breakdown = credits_for(items)
        return {"creditsRequired": total, "creditsAvailable": self.balance, "sufficient": total <= self.balance,
                "breakdown": breakdown}


def test_local_quote_is_the_engines_price_table():
    items = [{"quality": "4k"}, {}, {"output": "dataset", "datasetQuality": "196x1024"}]
    q = quote(items)
    assert (q.credits, q.breakdown) == credits_for(items)
    assert q.sufficient is None and "local price table" in q.verdict()
    assert "33 credits" in q._repr_html_() and "datasetQuality 196x1024" in q._repr_html_()
    with pytest.raises(InvalidSettings):
        quote([{"quality": "8k"}])


def test_the_panel_follows_the_settings(widget):
    assert widget.quote.credits == 1 and "1 credit" in widget.quote_panel.html.value
    widget.form.controls["quality"].input.value = "pro"
    assert widget.quote.credits == 64 and "64 credits" in widget.quote_panel.html.value
    widget.set(output="dataset", datasetQuality="400x2048")
    assert widget.quote.credits == 64 and "400 views" in widget.quote_panel.html.value


def test_a_batch_is_quoted_as_a_whole(widget):
    widget.set(quality="standard")
    widget.add_to_batch()
    total = widget.add_to_batch({"quality": "4k", "bgColor": "#000000"})
    assert total.credits == 20 and widget.quote is total
    assert "Batch of 2: 20 credits" in widget.quote_panel.html.value
    assert widget.batch == [{"quality": "standard"}, {"quality": "4k", "bgColor": "#000000"}]
    with pytest.raises(InvalidSettings):
        widget.add_to_batch({"length": 99})
    widget.clear_batch()
    assert widget.quote.credits == 4 and "Batch" not in widget.quote_panel.html.value


def test_a_server_quote_says_whether_the_balance_suffices(widget):
    client = FakeClient(balance=5)
    widget.client = client
    assert client.asked == [[{}]] and widget.quote.sufficient and widget.quote.source == client.base_url
    widget.set(quality="4k", length=3)
    assert client.asked[-1] == [{"quality": "4k", "length": 3.0}]  # the API's JSON, as the server wants it
    assert widget.quote.sufficient is False and "not enough credits: 5 available" in widget.quote_panel.html.value
    q = quote([{"quality": "share"}, {"quality": "standard"}], client)
    assert (q.credits, q.available, q.sufficient) == (5, 5, True)


def test_server_quotes_wait_for_the_edits_to_pause(widget):
    client = FakeClient()
    widget.client = client

    async def burst():
        asked = len(client.asked)
        for quality in ("standard", "4k", "pro"):
            widget.form.controls["quality"].input.value = quality
        assert widget.quote.credits == 64 and widget.quote.source == "local price table"  # at once, locally
        await asyncio.sleep(REMOTE_DEBOUNCE_S * 3)
        assert client.asked[asked:] == [[{"quality": "pro"}]] and widget.quote.source == client.base_url

    asyncio.run(burst())


def test_a_failing_server_leaves_the_local_prices(widget):
    from dxgl_api.client import ServerError

    widget.client = FakeClient(fail=ServerError("internal", "database is locked", 503))
    assert widget.quote.credits == 1 and widget.quote.source == "local price table"
    assert "server quote failed" in widget.quote_panel.html.value and "database is locked" in widget.quote_panel.html.value
