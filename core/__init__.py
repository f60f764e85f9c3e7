"""Shared plumbing: settings, logging, secrets and the Temporal connection."""
