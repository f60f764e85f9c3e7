"""What a user can do, once for every face (the JSON API, the pages, the worker, the CLI):
cases, histories, figures and reports."""
