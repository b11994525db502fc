"""Writers for lead exports (CSV, XLSX, CRM import layouts, vCard). Pure Python: no Qt, no SQL.

Each writer takes plain dicts as ``app.domain.serialise.lead_to_dict`` makes them, after the
export service has left out whoever the purpose excludes, so every format shares one row source.
"""
