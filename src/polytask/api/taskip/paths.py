PREFIX = "/api/public-v1"
