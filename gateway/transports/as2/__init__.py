"""AS2 (RFC 4130): receive over HTTP(S) with MDNs, send with the partner's security settings."""
