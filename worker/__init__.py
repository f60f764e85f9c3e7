"""The worker process: runs the workflows and activities on the `samverkan` task queue."""
