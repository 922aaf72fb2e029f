import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.security.test_hostile_input import FIGURES

    if FIGURES["inputs"]:
        terminalreporter.write_line(
            f"hostile input sweep: {FIGURES['inputs']} inputs tried, {FIGURES['500s']} 500s seen, "
            f"{FIGURES['error messages']} error messages checked for their language"
        )
