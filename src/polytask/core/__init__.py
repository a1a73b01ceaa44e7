"""Framework-free foundations shared by every layer."""
