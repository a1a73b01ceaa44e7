"""What projects spend: time entries (valued at members' cost rates) and expenses, and the
figures derived from them (spent budget, a task's actual hours)."""
