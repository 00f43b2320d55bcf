"""The explorer at `/` in a real browser with no internet (Debian's Chromium under Playwright),
over the bundled data: it loads with every request on 127.0.0.1, and a search, an entity, the
dependencies by layer, a shortage scenario, a critical path and the chokepoints each render what
the API answers, by keyboard as well as by mouse, at 1280 px and at 390 px. Screenshots are kept
in `var/screenshots/explorer-*.png`."""

from __future__ import annotations

import re
from typing import Any

import pytest

from stackgraph.graph.vocabulary import LAYERS
from tests.api._browser import NEEDS_CHROMIUM, Visit, visit
from tests.api._server import Server

pytestmark = NEEDS_CHROMIUM
pytest.importorskip("playwright.sync_api", reason="needs playwright (pip: .[test])")

TIMEOUT = 20_000


def _open(seen: Visit, route: str, heading: str) -> Any:
    """Go to `/{route}` and wait until its heading shows `heading`; the page."""
    page = seen.page
    page.goto(seen.base + "/" + route)
    page.locator("h1", has_text=heading).wait_for(timeout=TIMEOUT)
    assert page.locator("#error").is_hidden(), page.locator("#error").inner_text()
    return page


def test_the_explorer_loads_with_no_request_leaving_the_loopback(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "", "supply chain")
        assert page.title().startswith("The AI-infrastructure supply chain")
        assert page.locator("main#main").count() == 1 and page.locator("header nav").count() == 1
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.className") == "skip"
        seen.shot("explorer-home")
        served = {u.split("?")[0].removeprefix(bundled_server.url) for u in seen.requested}
        assert {"/", "/static/explorer.js", "/static/explorer.css", "/graphql"} <= served


def test_a_search_suggests_as_you_type_and_enter_opens_the_entity(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "", "supply chain")
        search = page.get_by_role("combobox", name="Search entities")
        search.press_sequentially("cowos", delay=30)
        options = page.locator("#search-options [role=option]")
        options.filter(has_text="CoWoS-L").wait_for(timeout=TIMEOUT)
        assert search.get_attribute("aria-expanded") == "true"
        names = [t.split("\n")[0] for t in options.all_inner_texts()]
        seen.shot("explorer-search")
        for _ in range(names.index("CoWoS-L") + 1):
            search.press("ArrowDown")
        active = search.get_attribute("aria-activedescendant")
        assert page.locator(f"#{active}").get_attribute("aria-selected") == "true"
        search.press("Enter")
        page.locator("h1", has_text="CoWoS-L").wait_for(timeout=TIMEOUT)
        assert page.url.endswith("#/entity/cowos-l")
        assert page.evaluate("document.activeElement.tagName") == "H1"  # focus follows


def test_an_entity_shows_attributes_claims_capacities_and_sources(
    browser: object, bundled_server: Server
) -> None:
    expected = bundled_server.query(
        '{ entity(id: "cowos-l") { provenance { sourceUrl tier } capacities { unit } } }'
    )["entity"]
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/entity/cowos-l", "CoWoS-L")
        attributes = page.locator("table", has_text="Every attribute value").inner_text()
        assert re.search(r"layer\s+packaging", attributes)
        assert re.search(r"vendor\s+tsmc", attributes)
        claims = page.locator("table", has_text="Sourced claims").inner_text()
        assert "current" in claims
        capacities = page.locator("table", has_text="Sourced figures by year").inner_text()
        assert expected["capacities"] and expected["capacities"][0]["unit"] in capacities
        assert "estimated" in capacities and "per " in capacities
        record = expected["provenance"]
        link = page.locator(f'a[href="{record["sourceUrl"]}"]').first
        assert link.is_visible()
        sources = page.locator("h2:has-text('Sources') + ul").inner_text()
        assert record["tier"] in sources and "as of" in sources
        seen.shot("explorer-entity", full_page=True)


def test_dependencies_are_drawn_by_layer_from_die_to_grid_and_navigate(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/dependencies/gb200-nvl72?depth=2", "depends on, by layer")
        columns = page.locator("svg .colhead").all_text_contents()
        assert columns and columns == [c for c in (*LAYERS, "no layer") if c in columns]
        assert page.locator("svg a.node").count() > 10
        seen.shot("explorer-dependencies")
        node = page.locator("svg a.node", has_text="NVIDIA B200").first
        node.focus()  # a link: reached by Tab, opened by Enter
        assert page.evaluate("document.activeElement.getAttribute('href')") == "#/entity/b200"
        page.keyboard.press("Enter")
        page.locator("h1", has_text="NVIDIA B200").wait_for(timeout=TIMEOUT)
        assert page.url.endswith("#/entity/b200")


def test_a_shortage_scenario_lights_up_blocked_items_with_their_chain(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/scenario", "Scenario")
        item = page.get_by_role("combobox", name="Item that runs short")
        item.press_sequentially("CoWoS-L", delay=30)
        page.locator("#pick-0-options [role=option]", has_text="CoWoS-L").first.click()
        page.get_by_label("Available (0 to 1)").fill("0")
        page.get_by_role("button", name="Run the scenario").click()
        page.locator("h2", has_text="is at 0%").wait_for(timeout=TIMEOUT)
        assert page.url.endswith("#/scenario/cowos-l=0")

        b200 = page.locator("li.s-BLOCKED", has=page.locator("a", has_text="NVIDIA B200")).first
        assert b200.locator(".badge").inner_text() == "Blocked"  # a word, not colour alone
        assert "available 0%" in b200.inner_text()
        assert re.search(r"Why: NVIDIA B200 → CoWoS-L", b200.locator(".chain").inner_text())
        b200.locator("summary").click()
        assert "as of" in b200.locator("details").inner_text()
        counts = page.get_by_label("Items by status").inner_text()
        for word in ("Blocked", "Constrained", "Possibly constrained", "not affected"):
            assert word in counts
        seen.shot("explorer-scenario")


def test_an_unknown_item_in_a_scenario_shows_the_apis_error(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = seen.page
        page.goto(bundled_server.url + "/#/scenario/cowos-x=0")
        error = page.locator("#error")
        error.wait_for(state="visible", timeout=TIMEOUT)
        assert "NOT_FOUND" in error.inner_text() and "cowos-x" in error.inner_text()
        error.locator("a", has_text="cowos-l").click()
        page.locator("h1", has_text="CoWoS-L").wait_for(timeout=TIMEOUT)


def test_a_critical_path_is_a_timeline_of_its_steps(
    browser: object, bundled_server: Server
) -> None:
    path = bundled_server.query(
        '{ criticalPath(id: "gb200-nvl72") { totalDays steps { node days } } }'
    )["criticalPath"]
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/critical-path/gb200-nvl72", f"{path['totalDays']} days")
        assert page.locator("svg rect.bar").count() == len(path["steps"])
        rows = page.locator("table", has_text="Each step").locator("tbody tr")
        assert rows.count() == len(path["steps"])
        last = path["steps"][-1]
        assert str(last["days"]) in rows.nth(len(path["steps"]) - 1).inner_text()
        seen.shot("explorer-critical-path")


def test_chokepoints_are_a_table(browser: object, bundled_server: Server) -> None:
    top = bundled_server.query("{ chokepoints(first: 10) { entity { name } endProductsBlocked } }")
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/chokepoints", "Chokepoints")
        rows = page.locator("table tbody tr")
        assert rows.count() == len(top["chokepoints"])
        first = rows.first.inner_text()
        best = top["chokepoints"][0]
        assert best["entity"]["name"] in first and str(best["endProductsBlocked"]) in first
        seen.shot("explorer-chokepoints")


@pytest.mark.parametrize(
    "route",
    [
        "",
        "#/entity/cowos-l",
        "#/dependencies/gb200-nvl72",
        "#/scenario/cowos-l=0",
        "#/critical-path/gb200-nvl72",
        "#/chokepoints",
    ],
    ids=["home", "entity", "dependencies", "scenario", "critical-path", "chokepoints"],
)
def test_a_phone_sized_window_does_not_scroll_sideways(
    browser: object, bundled_server: Server, route: str
) -> None:
    with visit(browser, bundled_server.url, width=390, height=844) as seen:
        page = seen.page
        page.goto(bundled_server.url + "/" + route)
        page.locator("#view h1").wait_for(timeout=TIMEOUT)
        page.wait_for_function("document.getElementById('status').textContent === ''")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        if route in ("", "#/scenario/cowos-l=0"):
            seen.shot(f"explorer-phone-{route.split('/')[1] if route else 'home'}")


def test_an_availability_out_of_range_is_refused_in_the_page(
    browser: object, bundled_server: Server
) -> None:
    with visit(browser, bundled_server.url) as seen:
        page = _open(seen, "#/scenario/cowos-l=0", "Scenario")
        share = page.get_by_label("Available (0 to 1)")
        share.fill("1.5")
        share.press("Enter")
        error = page.locator("#error")
        error.wait_for(state="visible", timeout=TIMEOUT)
        assert "“1.5”; expected a number from 0 (none) to 1 (all)" in error.inner_text()
        assert share.get_attribute("aria-invalid") == "true"
        assert page.url.endswith("#/scenario/cowos-l=0")
