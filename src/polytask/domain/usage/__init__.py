"""API-usage accounting: requests counted in memory per process (recorder.py), added to
the api_usage buckets off the request path (service.py flush_usage), read per workspace or
server-wide (report.py), pruned by retention (service.py prune_usage)."""
