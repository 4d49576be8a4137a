"""Safe links: the site uses the one filter every output shares (``xborder_data.storage.links``)."""

from __future__ import annotations

from xborder_data.storage.links import CSP, INERT, is_local_url, is_safe_url, offline_page, safe_links, safe_url

__all__ = ["CSP", "INERT", "is_local_url", "is_safe_url", "offline_page", "safe_links", "safe_url"]
