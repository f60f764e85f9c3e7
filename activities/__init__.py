"""Activities: the workflows' hands on the database and the mail server."""
