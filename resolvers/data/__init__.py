"""The data catalogue domain (DCAT datasets)."""
