"""The OAuth 2.0 authorization server: clients, sign-in, codes, tokens (RFC 6749, 7636, 7009, 7662)."""
