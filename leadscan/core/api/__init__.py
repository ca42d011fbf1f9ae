"""Client of the pretix exhibitors App API."""

from .client import AppApiClient, LeadResponse, LeadUpload, RemoteLead, normalize_base_url

__all__ = ["AppApiClient", "LeadResponse", "LeadUpload", "RemoteLead", "normalize_base_url"]
