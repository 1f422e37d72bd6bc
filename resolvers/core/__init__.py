"""What every domain shares: errors, pagination, filters, tiers and the request context."""
