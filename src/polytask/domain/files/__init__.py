"""Files in the one store: task and project files (service.py), the blob deletion outbox
(blobs.py), who reaches a file (access.py). Discussions and documents keep theirs here too."""
