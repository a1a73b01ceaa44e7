"""Browser sessions: server-side, cookie-referenced, with CSRF rules for their state changes."""
