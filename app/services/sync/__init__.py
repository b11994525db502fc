"""Team sync through a shared folder: ``service.SyncService`` runs a sync, one step a module."""
