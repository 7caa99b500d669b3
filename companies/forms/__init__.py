"""Forms by audience: public (the directory's query), owner (organisations, members, claims,
the expert profile), staff (decisions); fields shared with the admin in fields."""
