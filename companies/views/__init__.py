"""Pages by audience: public, owner (the people who act for an organisation), staff."""
