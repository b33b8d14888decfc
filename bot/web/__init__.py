"""The service's own HTTP endpoint: platform webhooks and health."""
