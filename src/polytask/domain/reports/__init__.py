"""Stats and reports over projects, people, departments and spending: a few aggregate SQL
statements each, filtered by an optional period, returning plain typed records that every
surface renders in its own shape."""
