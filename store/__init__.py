"""The SQL database: users, municipalities, policies, tracks and the read models."""
