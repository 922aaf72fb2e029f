"""The reliability tests print what they measured (outages, recovery times) after the run."""

import pytest

_FIGURES = pytest.StashKey[list[str]]()


@pytest.fixture
def figures(request: pytest.FixtureRequest):
    """`figures("recovered in 1.2 s")` adds a line to the "reliability figures" summary."""

    def record(line: str) -> None:
        request.config.stash.setdefault(_FIGURES, []).append(f"{request.node.name}: {line}")

    return record


def pytest_terminal_summary(terminalreporter, config: pytest.Config) -> None:
    if lines := config.stash.get(_FIGURES, []):
        terminalreporter.section("reliability figures")
        for line in lines:
            terminalreporter.write_line(line)
