"""Idempotency keys (Stripe semantics) for keyed POST and PATCH requests."""
