"""Calendar feeds: secret iCalendar URLs of due dates (service.py manages them, feed.py reads one)."""
