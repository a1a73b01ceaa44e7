"""The TaskFlow Pro surface under /api (session cookie authentication, its own envelopes)."""
