"""What an export is for, and who may go to a marketing tool."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from app.domain.data_quality import SuppressionIndex
from app.domain.leads import Consent

# company_source beside company: '' the person gave it, else where the suggestion came from.
MARKETING_COLUMNS = ("email", "first_name", "last_name", "title", "company", "company_source",
                     "industry", "country", "event", "campaign", "consent_at", "id")
NURTURE_COLUMNS = (*MARKETING_COLUMNS[:-1], "come_back_on", "id")


class ExportPurpose(StrEnum):
    ALL = "all"  # every field, every matching lead: for a spreadsheet or a backup
    MARKETING = "marketing"  # only people who may receive marketing, few columns
    NURTURE = "nurture"  # the nurture list for an email tool: as marketing, nurture leads only

    @property
    def label(self) -> str:
        return {"all": "All fields, all matching leads",
                "marketing": "For a marketing tool (consented, never suppressed)",
                "nurture": "Nurture list for an email tool (consented, never suppressed)",
                }[self.value]

    @property
    def for_marketing(self) -> bool:
        return self is not ExportPurpose.ALL


def marketing_exclusion(lead: Mapping[str, Any], suppressed: SuppressionIndex) -> str:
    """Why a lead (a ``lead_to_dict``) must not go to a marketing tool ('' if it may)."""
    if lead["do_not_contact"]:
        return "do not contact"
    contact = {"email": lead["email"], "company": lead["company"],
               "phone_e164": lead["phone_e164"], "mobile_e164": lead["mobile_e164"]}
    if suppressed.hits(contact) or suppressed.erased.erased_on(contact):
        return "on the suppression list"
    if lead["consent"] != Consent.GRANTED.value:
        return "no marketing consent"
    if not lead["email"]:
        return "no email"
    return ""


class ExportFormat(StrEnum):
    """The file formats a filtered lead list can be written as (ics is tasks, not leads)."""

    CSV = "csv"  # every field (or the purpose's columns), UTF-8 with BOM for Excel
    XLSX = "xlsx"  # the same columns as an Excel workbook
    SALESFORCE = "salesforce"  # Salesforce Lead import layout (CSV)
    HUBSPOT = "hubspot"  # HubSpot contact import layout (CSV)
    VCARD = "vcard"  # vCard 3.0, one card per lead

    @property
    def label(self) -> str:
        return {"csv": "CSV for Excel", "xlsx": "Excel workbook (XLSX)",
                "salesforce": "Salesforce leads import (CSV)",
                "hubspot": "HubSpot contacts import (CSV)",
                "vcard": "vCard contacts (VCF)"}[self.value]

    @property
    def suffix(self) -> str:
        return {"xlsx": ".xlsx", "vcard": ".vcf"}.get(self.value, ".csv")

    @property
    def file_filter(self) -> str:
        """A save-dialog filter such as ``Excel workbook (XLSX) (*.xlsx)``."""
        return f"{self.label} (*{self.suffix})"
