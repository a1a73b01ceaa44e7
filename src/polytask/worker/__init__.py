"""Background work: webhook delivery (run in the server process or as `polytask worker`)."""
