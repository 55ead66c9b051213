"""Import of hand-written weekly reports: parser (text to data) and apply (data to the database)."""
