"""Team sync through a shared folder: the service and what a sync run reports."""
