"""Loaded with `-p tests.pytest_env` before Django's settings are read: the test environment."""

import os

os.environ.setdefault("PORTAL_TESTING", "1")
# Tests run on their own settings, not on the checkout's development ones (var/local.env).
os.environ.setdefault("PORTAL_ENV_FILE", "")
os.environ.setdefault("SMS_BACKEND", "portal.sms.backends.locmem.SmsBackend")
# Tasks run in-process unless a test asks for the real worker (the `celery_worker` fixture).
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
os.environ.setdefault("CACHE_KEY_PREFIX", "portal-test")
os.environ.setdefault("IDENTITY_BACKEND", "locmem")
