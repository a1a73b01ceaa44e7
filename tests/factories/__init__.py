"""Small helpers that build test data through the domain services (never raw SQL)."""
