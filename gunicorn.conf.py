"""gunicorn's settings, read from ./gunicorn.conf.py by every gunicorn we start: the container, bench/ and CI.

Command-line flags still win (`--bind`, `--workers`, ...). The access log records no client IP address and no query
string (a search may contain a name or a phone number): time, method, path, status, bytes, milliseconds.
"""

import os

bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Finish the requests in flight on SIGTERM (a rolling restart), then exit.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
timeout = 30
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
# No control socket ($HOME/.gunicorn/gunicorn.ctl): instances on one machine would share it, and the app user of the
# container has no home to write to. Stop and reload with signals (TERM, HUP), as docs/deploy.md says.
control_socket_disable = True
