"""gunicorn settings shared by bin/demo, bin/serve and docker-compose.yml."""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "4"))
timeout = 60
graceful_timeout = 20
# No remote address and no query string in access logs (DESIGN: no IP address is stored).
accesslog = "-"
access_log_format = (
    '{"ts":"%(t)s","logger":"gunicorn.access","method":"%(m)s","path":"%(U)s","status":%(s)s,"ms":%(M)s}'
)
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
