"""Zero-knowledge identity: BBS signatures, credentials, pseudonyms and polls."""
