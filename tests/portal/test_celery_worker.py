import pytest

from portal.tasks import ping


@pytest.mark.worker
def test_a_task_runs_in_a_real_worker_and_its_result_comes_back(celery_worker):
    result = ping.delay("سلام")
    assert result.get(timeout=30) == "سلام"
    assert result.successful()
