-- Shared by every bench scenario: after the run, print one parseable line for bench/run.py.
-- Times are in microseconds as wrk measures them; non_2xx is wrk's count of HTTP statuses >= 400
-- (the scenarios never redirect, and run.py checks each one answers 2xx before loading it).

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, ' ..
    '"max_us": %d, "non_2xx": %d, "connect_errors": %d, "read_errors": %d, "write_errors": %d, "timeouts": %d}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.status, e.connect, e.read, e.write, e.timeout
  ))
end
