"""Storage: models, engine and session factory, migrations and the repository."""
