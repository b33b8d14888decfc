"""The moderation service: settings, storage, pipeline, SLA, escalation and command line."""
