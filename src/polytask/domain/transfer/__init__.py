"""Export and import: projects and workspaces to a versioned JSON document or CSV, streamed a
chunk at a time; files (our JSON, CSV, Trello, Todoist) parsed into that document and created
by the worker as import jobs, one transaction per project."""
