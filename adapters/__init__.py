"""Platform adapters: one small interface (:mod:`adapters.base`), one package per platform."""
