"""The OAuth 2.0 authorization server's HTTP side: /oauth/* and /.well-known/oauth-authorization-server."""
