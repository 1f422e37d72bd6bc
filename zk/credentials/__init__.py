"""Resident credentials: the city signs a resident's attributes with BBS under an epoch's
issuer key; the resident's wallet answers a verifier's request disclosing only what it asks."""
