"""The migration's Celery tasks, gathered for autodiscovery: each is defined beside the code it
runs, in `isinsured.chunks`, under its name here (`name="isinsured.tasks.<task>"`)."""

from isinsured.chunks import apply_chunk, apply_organizations

__all__ = ["apply_chunk", "apply_organizations"]
